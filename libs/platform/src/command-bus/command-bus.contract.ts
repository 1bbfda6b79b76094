import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Metrics } from '../metrics/metrics.js';
import { CommandBusUnavailableError, PermanentCommandError } from './command-bus.errors.js';
import type { CommandBus, CommandConsumption, CommandHandler, RoutedCommand } from './command-bus.port.js';
import { deadLettered, deferred, routedCommand, waitFor, within } from './command-bus.testing.js';

/** What each test gets from an adapter: a fresh bus built with these settings. */
export interface ContractSetup {
  readonly metrics: Metrics;
  readonly maxDeliver: number;
}

export interface ContractFixture {
  readonly bus: CommandBus;
  /** Commands accepted and neither acked nor dead-lettered yet, as the adapter knows them. */
  outstanding(): Promise<number>;
  dispose(): Promise<void>;
}

export type ContractFactory = (setup: ContractSetup) => Promise<ContractFixture>;

const MAX_DELIVER = 3;

/** The behaviour every CommandBus adapter must share; each adapter's spec runs it. */
export function describeCommandBusContract(name: string, factory: ContractFactory): void {
  describe(`${name} honours the CommandBus contract`, () => {
    let metrics: Metrics;
    let fixture: ContractFixture;
    let consumptions: CommandConsumption[] = [];

    beforeEach(async () => {
      metrics = new Metrics();
      fixture = await factory({ metrics, maxDeliver: MAX_DELIVER });
    });

    afterEach(async () => {
      await Promise.all(consumptions.map((consumption) => consumption.stop()));
      consumptions = [];
      await fixture.dispose();
    });

    async function consume(handler: CommandHandler, concurrency = 1): Promise<CommandConsumption> {
      const consumption = await fixture.bus.consume(handler, { concurrency });
      consumptions.push(consumption);
      return consumption;
    }

    const settled = (): Promise<void> =>
      waitFor(async () => (await fixture.outstanding()) === 0, 'every command to be acked or dead-lettered');

    it('hands a sent command to the handler with its target and command', async () => {
      const received = deferred<RoutedCommand>();
      await consume(async (message) => received.resolve(message));
      const sent = routedCommand();

      expect(await fixture.bus.send(sent)).toEqual({ duplicate: false });
      expect(await within(received.promise, 'the command')).toEqual(sent);
      await settled();
    });

    it('keeps commands sent before consumption starts and hands them over in order', async () => {
      const sent = [routedCommand(), routedCommand(), routedCommand()];
      for (const message of sent) await fixture.bus.send(message);
      const handled: string[] = [];

      await consume(async (message) => void handled.push(message.command.metadata.commandId));

      await waitFor(() => handled.length === sent.length, 'the three commands');
      expect(handled).toEqual(sent.map((message) => message.command.metadata.commandId));
    });

    it('accepts a commandId once: the second send is a duplicate and is not handled again', async () => {
      const handled: string[] = [];
      await consume(async (message) => void handled.push(message.command.metadata.commandId));
      const first = routedCommand();
      const again = { ...first, command: { ...first.command, data: { changed: true } } };

      expect(await fixture.bus.send(first)).toEqual({ duplicate: false });
      expect(await fixture.bus.send(again)).toEqual({ duplicate: true });

      await settled();
      expect(handled).toEqual([first.command.metadata.commandId]);
    });

    it('redelivers a failing command with a growing deliveryCount until it succeeds', async () => {
      const deliveries: number[] = [];
      await consume(async (_message, context) => {
        deliveries.push(context.deliveryCount);
        if (context.deliveryCount < 3) throw new Error('event store busy');
      });

      await fixture.bus.send(routedCommand());

      await waitFor(() => deliveries.length === 3, 'the third delivery');
      await settled();
      expect(deliveries).toEqual([1, 2, 3]);
      expect(await deadLettered(metrics)).toBe(0);
    });

    it('gives a command up after maxDeliver failed deliveries and counts it as dead-lettered', async () => {
      const deliveries: number[] = [];
      await consume(async (_message, context) => {
        deliveries.push(context.deliveryCount);
        throw new Error('always broken');
      });

      await fixture.bus.send(routedCommand({ type: 'AlwaysFails' }));

      await waitFor(async () => (await deadLettered(metrics)) === 1, 'the dead letter');
      await settled();
      expect(deliveries).toEqual([1, 2, 3]);
      expect(await deadLettered(metrics, 'max_deliver')).toBe(1);
      const { values } = await metrics.commandsDeadLettered.get();
      expect(values.map((sample) => sample.labels.command)).toEqual(['AlwaysFails']);
    });

    it('does not redeliver a command refused with PermanentCommandError', async () => {
      const deliveries: number[] = [];
      await consume(async (_message, context) => {
        deliveries.push(context.deliveryCount);
        throw new PermanentCommandError('investigation already closed');
      });

      await fixture.bus.send(routedCommand());

      await waitFor(async () => (await deadLettered(metrics, 'permanent')) === 1, 'the dead letter');
      await settled();
      expect(deliveries).toEqual([1]);
    });

    it('never runs more handlers at once than the concurrency it was given', async () => {
      const concurrency = 3;
      const total = 8;
      const release = deferred();
      let inFlight = 0;
      let maxInFlight = 0;
      let done = 0;
      await consume(async () => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await release.promise;
        inFlight -= 1;
        done += 1;
      }, concurrency);

      for (let i = 0; i < total; i += 1) await fixture.bus.send(routedCommand());

      await waitFor(() => inFlight === concurrency, 'the slots to fill up');
      release.resolve();
      await waitFor(() => done === total, 'every command');
      expect(maxInFlight).toBe(concurrency);
    });

    it('stop() aborts the signal and resolves only after the running handler settled', async () => {
      const started = deferred<AbortSignal>();
      const release = deferred();
      const order: string[] = [];
      const consumption = await consume(async (_message, context) => {
        started.resolve(context.signal);
        await release.promise;
        order.push('handler settled');
      });
      await fixture.bus.send(routedCommand());
      const signal = await within(started.promise, 'the handler to start');

      const stopping = consumption.stop().then(() => void order.push('stopped'));
      await waitFor(() => signal.aborted, 'the signal to abort');
      release.resolve();
      await within(stopping, 'stop()');

      expect(order).toEqual(['handler settled', 'stopped']);
    });

    it('tells the first command of a type accepted for a target', async () => {
      const sent = routedCommand({ type: 'StartInvestigation' });
      const later = { ...routedCommand({ type: 'StartInvestigation' }), target: sent.target };
      await fixture.bus.send(sent);
      await fixture.bus.send(later);

      expect(await fixture.bus.firstAccepted(sent.target, 'StartInvestigation')).toEqual(sent);
      expect(await fixture.bus.firstAccepted(sent.target, 'CancelInvestigation')).toBeNull();
      expect(await fixture.bus.firstAccepted({ ...sent.target, id: 'other' }, 'StartInvestigation')).toBeNull();
    });

    it('refuses targets and types that are not subject-safe tokens, and sends nothing', async () => {
      const handled: string[] = [];
      await consume(async (message) => void handled.push(message.command.metadata.commandId));

      await expect(fixture.bus.send(routedCommand({ aggregate: 'investigation.>' }))).rejects.toThrow(TypeError);
      await expect(fixture.bus.send(routedCommand({ id: 'a b' }))).rejects.toThrow(TypeError);
      await expect(fixture.bus.send(routedCommand({ type: 'Start*' }))).rejects.toThrow(TypeError);
      const valid = routedCommand();
      await fixture.bus.send(valid);

      await waitFor(() => handled.length > 0, 'the valid command');
      await settled();
      expect(handled).toEqual([valid.command.metadata.commandId]);
    });

    it('rejects send() with CommandBusUnavailableError once closed', async () => {
      await fixture.bus.close();

      await expect(fixture.bus.send(routedCommand())).rejects.toBeInstanceOf(CommandBusUnavailableError);
      await expect(fixture.bus.ping()).rejects.toBeInstanceOf(CommandBusUnavailableError);
    });
  });
}
