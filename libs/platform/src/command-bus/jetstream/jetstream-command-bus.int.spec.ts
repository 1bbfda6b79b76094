import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { nanos } from '@nats-io/transport-node';
import { Metrics } from '../../metrics/metrics.js';
import { describeCommandBusContract } from '../command-bus.contract.js';
import { CommandBusUnavailableError } from '../command-bus.errors.js';
import { deadLettered, deferred, routedCommand, waitFor, within } from '../command-bus.testing.js';
import { JetStreamCommandBus } from './jetstream-command-bus.js';
import { JetStreamTestEnv, NatsServerProcess } from './jetstream.testing.js';

describeCommandBusContract('JetStreamCommandBus', async ({ metrics, maxDeliver }) => {
  const env = await JetStreamTestEnv.open();
  const bus = await env.connectBus({ metrics, maxDeliver });
  return { bus, outstanding: () => env.outstanding(), dispose: () => env.dispose() };
});

describe('JetStreamCommandBus', () => {
  let env: JetStreamTestEnv;

  beforeEach(async () => {
    env = await JetStreamTestEnv.open();
  });

  afterEach(async () => {
    await env.dispose();
  });

  it('sets up the stream and the durable consumer idempotently when processes start together', async () => {
    await Promise.all([env.connectBus({ maxDeliver: 4 }), env.connectBus({ maxDeliver: 4 })]);
    await env.connectBus({ maxDeliver: 4, ackWaitMs: 2000 });

    const stream = await env.jsm.streams.info(env.names.streamName);
    expect(stream.config).toMatchObject({
      subjects: [`${env.names.subjectPrefix}.>`],
      retention: 'limits',
      storage: 'file',
      duplicate_window: nanos(2 * 60 * 60 * 1000),
      max_age: nanos(7 * 24 * 60 * 60 * 1000),
    });
    const consumer = await env.consumerInfo();
    expect(consumer.config).toMatchObject({
      durable_name: env.names.consumerName,
      ack_policy: 'explicit',
      ack_wait: nanos(2000),
      max_deliver: 4,
      filter_subject: `${env.names.subjectPrefix}.*.*.*`,
    });
  });

  it('shares one durable consumer between workers: each of 50 commands is handled once in total', async () => {
    const [first, second] = await Promise.all([env.connectBus(), env.connectBus()]);
    const handled = new Map<string, number>();
    const count = async (message: { command: { metadata: { commandId: string } } }): Promise<void> => {
      const id = message.command.metadata.commandId;
      handled.set(id, (handled.get(id) ?? 0) + 1);
    };
    await env.consume(first, count, 2);
    await env.consume(second, count, 2);
    const sent = Array.from({ length: 50 }, () => routedCommand());

    await Promise.all(sent.map((message, index) => (index % 2 === 0 ? first : second).send(message)));

    await waitFor(() => handled.size === sent.length, 'all 50 commands');
    await env.settled();
    expect([...handled.keys()].sort()).toEqual(sent.map((message) => message.command.metadata.commandId).sort());
    expect([...handled.values()].every((times) => times === 1)).toBe(true);
  });

  it('redelivers the command of a worker that died without acking to another one after ack_wait', async () => {
    const [crashing, healthy] = await Promise.all([env.connectBus(), env.connectBus()]);
    const hang = deferred();
    const crashed = deferred<number>();
    const recovered = deferred<{ commandId: string; deliveryCount: number }>();
    await env.consume(crashing, async (_message, context) => {
      crashed.resolve(context.deliveryCount);
      await hang.promise;
    });
    const sent = routedCommand();
    try {
      await healthy.send(sent);
      expect(await within(crashed.promise, 'the first worker to take the command')).toBe(1);
      await crashing.close();

      await env.consume(healthy, async (message, context) =>
        recovered.resolve({ commandId: message.command.metadata.commandId, deliveryCount: context.deliveryCount }),
      );

      expect(await within(recovered.promise, 'the redelivery')).toEqual({
        commandId: sent.command.metadata.commandId,
        deliveryCount: 2,
      });
      await env.settled();
    } finally {
      hang.resolve();
    }
  });

  it('does not redeliver a command whose handler outlasts ack_wait but reports working()', async () => {
    const bus = await env.connectBus({ ackWaitMs: 1500 });
    const deliveries: number[] = [];
    await env.consume(
      bus,
      async (_message, context) => {
        deliveries.push(context.deliveryCount);
        // Two ack_waits of work, reporting progress as a long agent run would.
        for (let step = 0; step < 20; step += 1) {
          await new Promise((resolve) => setTimeout(resolve, 150));
          context.working();
        }
      },
      2,
    );

    await bus.send(routedCommand());

    await waitFor(() => deliveries.length > 0, 'the delivery');
    await env.settled();
    expect(deliveries).toEqual([1]);
    expect((await env.consumerInfo()).delivered.consumer_seq).toBe(1);
  });

  it('counts a command the server gave up on (every delivery timed out) as one dead letter across workers', async () => {
    const [firstMetrics, secondMetrics] = [new Metrics(), new Metrics()];
    const [first, second] = await Promise.all([
      env.connectBus({ metrics: firstMetrics, maxDeliver: 2, ackWaitMs: 1000 }),
      env.connectBus({ metrics: secondMetrics, maxDeliver: 2, ackWaitMs: 1000 }),
    ]);
    const hang = deferred();
    const deliveries: number[] = [];
    // A worker that takes the command and never settles it, as a process that hangs would.
    await env.consume(
      first,
      async (_message, context) => {
        deliveries.push(context.deliveryCount);
        await hang.promise;
      },
      2,
    );
    try {
      await first.send(routedCommand({ type: 'RunInvestigation' }));
      await waitFor(() => deliveries.length === 2, 'both deliveries to time out in the hung worker');
      // The server gives up when it would deliver a third time, to whoever pulls next.
      await env.consume(second, async (_message, context) => void deliveries.push(context.deliveryCount), 1);
      const total = async (): Promise<number> =>
        (await deadLettered(firstMetrics, 'max_deliver')) + (await deadLettered(secondMetrics, 'max_deliver'));
      await waitFor(async () => (await total()) === 1, 'the dead letter from the max-deliveries advisory');
      expect(deliveries).toEqual([1, 2]);
      const { values } = await firstMetrics.commandsDeadLettered.get();
      const { values: others } = await secondMetrics.commandsDeadLettered.get();
      expect([...values, ...others].filter((v) => v.value > 0).map((v) => v.labels)).toEqual([
        { command: 'RunInvestigation', reason: 'max_deliver' },
      ]);
    } finally {
      hang.resolve();
    }
  });

  it('dead-letters a message whose body does not parse, without calling the handler', async () => {
    const metrics = new Metrics();
    const bus = await env.connectBus({ metrics });
    let calls = 0;
    await env.consume(bus, async () => void (calls += 1));

    await env.jsm.jetstream().publish(`${env.names.subjectPrefix}.investigation.x.Start`, 'not json');

    await waitFor(async () => (await deadLettered(metrics, 'unparseable')) === 1, 'the dead letter');
    await env.settled();
    expect(calls).toBe(0);
  });

  it('reports the commands waiting in the consumer as jetstream_consumer_pending', async () => {
    const metrics = new Metrics();
    const bus = await env.connectBus({ metrics, pendingRefreshMs: 50 });
    for (let i = 0; i < 3; i += 1) await bus.send(routedCommand());
    const release = deferred();
    await env.consume(bus, () => release.promise);
    const pending = async (): Promise<number | undefined> =>
      (await metrics.consumerPending.get()).values.find((s) => s.labels.consumer === env.names.consumerName)?.value;

    try {
      await waitFor(async () => (await pending()) === 2, 'two commands reported as waiting');
    } finally {
      release.resolve();
    }
    await waitFor(async () => (await pending()) === 0, 'the backlog to drain');
  });
});

describe('JetStreamCommandBus when its NATS server goes away', () => {
  let server: NatsServerProcess;

  beforeAll(async () => {
    server = await NatsServerProcess.start();
  });

  afterAll(async () => {
    await server.dispose();
  });

  it('rejects send() and ping() with CommandBusUnavailableError instead of hanging', async () => {
    const bus = await JetStreamCommandBus.connect({ servers: server.url, publishTimeoutMs: 1000 });
    try {
      expect(await bus.send(routedCommand())).toEqual({ duplicate: false });

      await server.kill();

      await expect(within(bus.send(routedCommand()), 'send() to give up', 8000)).rejects.toBeInstanceOf(
        CommandBusUnavailableError,
      );
      await expect(within(bus.ping(), 'ping() to give up', 8000)).rejects.toBeInstanceOf(CommandBusUnavailableError);
    } finally {
      await bus.close();
    }
  });

  it('goes on consuming once the server is back', async () => {
    await server.restart();
    const bus = await JetStreamCommandBus.connect({ servers: server.url, publishTimeoutMs: 1000 });
    const handled: string[] = [];
    const consumption = await bus.consume(async (message) => void handled.push(message.command.metadata.commandId), {
      concurrency: 1,
    });
    try {
      await server.restart();
      const sent = routedCommand();
      await waitFor(
        () =>
          bus.ping().then(
            () => true,
            () => false,
          ),
        'the bus to reconnect',
      );
      await bus.send(sent);

      await waitFor(() => handled.includes(sent.command.metadata.commandId), 'the command after the restart', 40_000);
    } finally {
      await consumption.stop();
      await bus.close();
    }
  });
});
