import { describe, expect, it } from '@jest/globals';
import type { CommandConsumption, RoutedCommand } from '../command-bus.port.js';
import { deferred, routedCommand, waitFor } from '../command-bus.testing.js';
import { InProcessCommandBus } from './in-process-command-bus.js';

const LONG = 'RunInvestigation';
const SHORT = 'StartInvestigation';

/** A bus whose handlers for LONG block until released; it records the order handlers start in. */
async function lanedBus(longSlots: number) {
  const bus = new InProcessCommandBus({ retryDelayMs: () => 0 });
  const release = deferred();
  const started: RoutedCommand[] = [];
  const running = { long: 0 };
  const consumption: CommandConsumption = await bus.consume(
    async (message) => {
      started.push(message);
      if (message.command.type !== LONG) return;
      running.long++;
      await release.promise;
      running.long--;
    },
    { concurrency: 1, lanes: [{ name: 'long', types: [LONG], concurrency: longSlots }] },
  );
  const stop = async (): Promise<void> => {
    release.resolve();
    await consumption.stop();
    await bus.close();
  };
  return { bus, started, running, release, stop };
}

describe('InProcessCommandBus lanes', () => {
  it('runs a short command while every slot of the long lane is held', async () => {
    const laned = await lanedBus(2);
    for (let i = 0; i < 3; i++) await laned.bus.send(routedCommand({ type: LONG }));
    await waitFor(() => laned.running.long === 2, 'the long lane to fill');
    const short = routedCommand({ type: SHORT });

    await laned.bus.send(short);
    await waitFor(() => laned.started.includes(short), 'the short command to start');

    expect(laned.running.long).toBe(2);
    expect(laned.bus.outstanding()).toBe(3);
    await laned.stop();
  });

  it('keeps the lane bounded and hands out its queued commands once slots free', async () => {
    const laned = await lanedBus(2);
    for (let i = 0; i < 5; i++) await laned.bus.send(routedCommand({ type: LONG }));
    await waitFor(() => laned.running.long === 2, 'the long lane to fill');
    expect(laned.started).toHaveLength(2);

    laned.release.resolve();
    await waitFor(() => laned.bus.outstanding() === 0, 'every long command to be handled');

    expect(laned.started).toHaveLength(5);
    await laned.stop();
  });

  it('holds a short command back behind a queued long one for the same target', async () => {
    const laned = await lanedBus(1);
    await laned.bus.send(routedCommand({ type: LONG }));
    await waitFor(() => laned.running.long === 1, 'the long lane to fill');
    const queued = routedCommand({ type: LONG, id: 'inv-ordered' });
    const after = routedCommand({ type: SHORT, id: 'inv-ordered' });
    const other = routedCommand({ type: SHORT });
    await laned.bus.send(queued);
    await laned.bus.send(after);
    await laned.bus.send(other);
    await waitFor(() => laned.started.includes(other), 'the other target to be served');
    expect(laned.started).not.toContain(after);

    laned.release.resolve();
    await waitFor(() => laned.started.includes(after), 'the held command');
    expect(laned.started.indexOf(queued)).toBeLessThan(laned.started.indexOf(after));
    await laned.stop();
  });

  it('refuses a command type in two lanes', async () => {
    const bus = new InProcessCommandBus();
    const lanes = [
      { name: 'long', types: [LONG], concurrency: 1 },
      { name: 'longer', types: [LONG], concurrency: 1 },
    ];
    await expect(bus.consume(async () => undefined, { concurrency: 1, lanes })).rejects.toThrow(RangeError);
    await bus.close();
  });
});
