import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { Metrics } from '../../metrics/metrics.js';
import type { CommandHandler, ConsumeOptions, RoutedCommand } from '../command-bus.port.js';
import { deadLettered, deferred, routedCommand, waitFor } from '../command-bus.testing.js';
import { commandSubject, encodeRoutedCommand } from './command-codec.js';
import { JetStreamTestEnv } from './jetstream.testing.js';

const LONG = 'RunInvestigation';
const SHORT = 'StartInvestigation';

/** One slot for every other command, `longSlots` for LONG in a lane of its own. */
const laned = (longSlots = 1, concurrency = 1): ConsumeOptions => ({
  concurrency,
  lanes: [{ name: 'long', types: [LONG], concurrency: longSlots }],
});

const idOf = (message: RoutedCommand): string => message.command.metadata.commandId;

/** Records every command handled and holds the types in `blocking` until release(). */
function blockingHandler(blocking: readonly string[]) {
  const release = deferred();
  const handled: RoutedCommand[] = [];
  const running = new Map<string, number>();
  const handler: CommandHandler = async (message) => {
    const { type } = message.command;
    handled.push(message);
    if (!blocking.includes(type)) return;
    running.set(type, (running.get(type) ?? 0) + 1);
    await release.promise;
    running.set(type, (running.get(type) ?? 0) - 1);
  };
  return { handler, handled, running: (type: string) => running.get(type) ?? 0, release: () => release.resolve() };
}

describe('JetStreamCommandBus lanes', () => {
  let env: JetStreamTestEnv;
  const longConsumer = (): string => `${env.names.consumerName}_long`;

  beforeEach(async () => {
    env = await JetStreamTestEnv.open();
  });

  afterEach(async () => {
    await env.dispose();
  });

  it.each([
    { full: 'long', blocked: LONG, other: SHORT, options: laned(1, 1), slots: 1 },
    { full: 'short', blocked: SHORT, other: LONG, options: laned(1, 2), slots: 2 },
  ])('handles a command at once while every slot of the $full lane is held', async (lane) => {
    const metrics = new Metrics();
    const bus = await env.connectBus({ metrics, pendingRefreshMs: 50 });
    const work = blockingHandler([lane.blocked]);
    await env.consume(bus, work.handler, lane.options);
    const [fullConsumer, otherConsumer] =
      lane.blocked === LONG ? [longConsumer(), env.names.consumerName] : [env.names.consumerName, longConsumer()];
    const pending = async (consumer: string): Promise<number | undefined> =>
      (await metrics.consumerPending.get()).values.find((sample) => sample.labels.consumer === consumer)?.value;
    try {
      for (let i = 0; i < lane.slots + 2; i += 1) await bus.send(routedCommand({ type: lane.blocked }));
      await waitFor(() => work.running(lane.blocked) === lane.slots, `the ${lane.full} lane to fill`);
      const other = routedCommand({ type: lane.other });

      await bus.send(other);

      await waitFor(() => work.handled.some((message) => idOf(message) === idOf(other)), 'the other command');
      expect(work.running(lane.blocked)).toBe(lane.slots);
      expect(work.handled).toHaveLength(lane.slots + 1);
      await waitFor(async () => (await pending(fullConsumer)) === 2, `two commands waiting in the ${lane.full} lane`);
      expect(await pending(otherConsumer)).toBe(0);
    } finally {
      work.release();
    }
    await waitFor(() => work.handled.length === lane.slots + 3, 'every command');
    await env.settled();
  });

  it('converges a stream from before lanes: unacked commands are handled once, acked ones never again', async () => {
    const { streamName, subjectPrefix, consumerName } = env.names;
    // The topology and messages of a deployment whose workers shared one consumer over every subject.
    await env.jsm.streams.add({ name: streamName, subjects: [`${subjectPrefix}.>`] });
    await env.jsm.consumers.add(streamName, {
      durable_name: consumerName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: `${subjectPrefix}.>`,
    });
    const js = env.jsm.jetstream();
    const publishUnrouted = async (message: RoutedCommand): Promise<void> => {
      const subject = commandSubject(subjectPrefix, message.target, message.command.type);
      await js.publish(subject, encodeRoutedCommand(message), { msgID: idOf(message) });
    };
    const acked = routedCommand({ type: SHORT });
    const waitingRun = routedCommand({ type: LONG });
    const waitingStart = routedCommand({ type: SHORT });
    for (const message of [acked, waitingRun, waitingStart]) await publishUnrouted(message);
    const old = await js.consumers.get(streamName, consumerName);
    const first = await old.next();
    expect(first?.subject).toBe(commandSubject(subjectPrefix, acked.target, SHORT));
    await first?.ackAck();

    const bus = await env.connectBus();
    const handled: string[] = [];
    const deliveries: number[] = [];
    await env.consume(
      bus,
      async (message, context) => {
        handled.push(idOf(message));
        deliveries.push(context.deliveryCount);
      },
      laned(1),
    );
    const laterRun = routedCommand({ type: LONG });
    await bus.send(laterRun);

    await waitFor(() => handled.length >= 3, 'the commands left unacked and the later one');
    await env.settled();
    expect([...handled].sort()).toEqual([waitingRun, waitingStart, laterRun].map(idOf).sort());
    expect(deliveries).toEqual([1, 1, 1]);
    const narrowed = await env.consumerInfo();
    expect(narrowed.config.filter_subject).toBe(`${subjectPrefix}.*.*.*`);
    expect(narrowed.delivered.consumer_seq).toBe(3);
    const lane = await env.consumerInfo(longConsumer());
    expect(lane.config.filter_subject).toBe(`${subjectPrefix}.*.*.*.long`);
    expect(lane.delivered.consumer_seq).toBe(1);
    expect(await bus.firstAccepted(waitingRun.target, LONG)).toEqual(waitingRun);
    expect(await bus.firstAccepted(laterRun.target, LONG)).toEqual(laterRun);
  });

  it('counts a long command the server gave up on as a dead letter', async () => {
    const metrics = new Metrics();
    const bus = await env.connectBus({ metrics, maxDeliver: 2, ackWaitMs: 1000 });
    const hang = deferred();
    const deliveries: number[] = [];
    await env.consume(
      bus,
      async (_message, context) => {
        deliveries.push(context.deliveryCount);
        // A worker that takes its second delivery and never settles it, as a hung process would.
        if (context.deliveryCount === 1) throw new Error('event store busy');
        await hang.promise;
      },
      // The server gives up when it would deliver a third time, to the lane's next pull: a second slot.
      laned(2),
    );
    try {
      await bus.send(routedCommand({ type: LONG }));

      await waitFor(async () => (await deadLettered(metrics, 'max_deliver')) === 1, 'the dead letter of the lane');
      expect(deliveries).toEqual([1, 2]);
    } finally {
      hang.resolve();
    }
  });

  it('refuses a second consumption whose lanes differ from the first one', async () => {
    const bus = await env.connectBus();
    await env.consume(bus, async () => undefined, laned(1));

    await expect(
      bus.consume(async () => undefined, { concurrency: 1, lanes: [{ name: 'long', types: [SHORT], concurrency: 1 }] }),
    ).rejects.toThrow(RangeError);
    await expect(bus.consume(async () => undefined, { concurrency: 1 })).rejects.toThrow(RangeError);
  });
});
