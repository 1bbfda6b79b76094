import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metrics } from '../../metrics/metrics.js';
import { describeCommandBusContract } from '../command-bus.contract.js';
import type { CommandContext, RoutedCommand } from '../command-bus.port.js';
import { deadLettered, deferred, routedCommand, waitFor, within } from '../command-bus.testing.js';
import { SqliteCommandJournal } from './command-journal.js';
import { InProcessCommandBus } from './in-process-command-bus.js';

const dir = mkdtempSync(join(tmpdir(), 'command-journal-'));
let files = 0;
const newFile = (): string => join(dir, `commands-${++files}.sqlite`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A bus over `file`, as a process starting on that DATA_DIR would open it. */
const open = (file: string, metrics = new Metrics(), maxDeliver = 5) =>
  new InProcessCommandBus({ metrics, maxDeliver, retryDelayMs: () => 0, journal: new SqliteCommandJournal(file) });

describeCommandBusContract('InProcessCommandBus with a journal', async ({ metrics, maxDeliver }) => {
  const bus = open(newFile(), metrics, maxDeliver);
  return { bus, outstanding: async () => bus.outstanding(), dispose: () => bus.close() };
});

interface Delivery {
  readonly commandId: string;
  readonly deliveryCount: number;
}

describe('InProcessCommandBus with a journal across restarts', () => {
  it('commits the commands accepted in one turn of the event loop together', async () => {
    const file = newFile();
    const bus = open(file);
    await bus.send(routedCommand());
    const frames = (): number => statSync(`${file}-wal`).size / (4096 + 24);
    const before = frames();
    const commands = Array.from({ length: 20 }, () => routedCommand());

    await Promise.all(commands.map((command) => bus.send(command)));

    // Twenty commits would write at least one frame each; one group writes a handful.
    expect(frames() - before).toBeLessThan(commands.length / 2);
    await bus.close();
    const restarted = open(file);
    expect(restarted.outstanding()).toBe(commands.length + 1);
    await restarted.close();
  });

  it("records a burst's delivery counts in one write, each before its handler runs", async () => {
    const file = newFile();
    const journal = new SqliteCommandJournal(file);
    const bus = new InProcessCommandBus({ maxDeliver: 5, retryDelayMs: () => 0, journal });
    await bus.send(routedCommand());
    const frames = (): number => statSync(`${file}-wal`).size / (4096 + 24);
    const held = deferred<void>();
    const countsSeen = new Map<string, number | undefined>();
    const consumption = await bus.consume(
      async (message) => {
        const { commandId } = message.command.metadata;
        // What a restart would read now: the delivery is already on record.
        const pending = journal.pending().find((row) => row.message.command.metadata.commandId === commandId);
        countsSeen.set(commandId, pending?.deliveryCount);
        await held.promise; // settled (deleted) only after the frames are counted
      },
      { concurrency: 64 },
    );
    await waitFor(async () => countsSeen.size === 1, 'the first command handled');
    const before = frames();
    const commands = Array.from({ length: 20 }, () => routedCommand());

    await Promise.all(commands.map((command) => bus.send(command)));
    await waitFor(async () => countsSeen.size === commands.length + 1, 'every handler started');

    for (const command of commands) expect(countsSeen.get(command.command.metadata.commandId)).toBe(1);
    // The accept group and the deliveries' one write (10 frames here); a write per delivery adds
    // a frame or more each (27 here).
    expect(frames() - before).toBeLessThan(commands.length);
    held.resolve();
    await waitFor(async () => bus.outstanding() === 0, 'every command settled');
    await consumption.stop();
    await bus.close();
  });

  it('hands out again what was queued or in flight when the process died, not what was acked', async () => {
    const file = newFile();
    const before = open(file);
    const [acked, inFlight, queued] = [routedCommand(), routedCommand(), routedCommand()];
    const hung = deferred<void>();
    const ackedDone = deferred<void>();
    await before.consume(
      async (message) => {
        if (message.command.metadata.commandId === acked.command.metadata.commandId) return ackedDone.resolve();
        await hung.promise; // the process dies holding it
      },
      { concurrency: 1 },
    );
    for (const command of [acked, inFlight, queued]) await before.send(command);
    await within(ackedDone.promise, 'the first command to be acked');
    await waitFor(async () => before.outstanding() === 2, 'the second command in flight');
    // No close(): a killed process settles nothing more. A new bus opens the same file.

    const after = open(file);
    const seen: Delivery[] = [];
    const consumption = await after.consume(
      async (message: RoutedCommand, context: CommandContext) => {
        seen.push({ commandId: message.command.metadata.commandId, deliveryCount: context.deliveryCount });
      },
      { concurrency: 1 },
    );
    await waitFor(async () => seen.length === 2 && after.outstanding() === 0, 'the redeliveries');
    expect(seen).toEqual([
      { commandId: inFlight.command.metadata.commandId, deliveryCount: 2 },
      { commandId: queued.command.metadata.commandId, deliveryCount: 1 },
    ]);
    await consumption.stop();
    await after.close();
    // Everything settled: a third start has nothing to do.
    const third = open(file);
    expect(third.outstanding()).toBe(0);
    await third.close();
    hung.resolve();
  });

  it('does not count a delivery the worker gave up because it was stopping', async () => {
    const file = newFile();
    const bus = open(file);
    const started = deferred<void>();
    const consumption = await bus.consume(
      async (_message, context) => {
        started.resolve();
        await new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(new Error('stopping'))));
      },
      { concurrency: 1 },
    );
    const command = routedCommand();
    await bus.send(command);
    await within(started.promise, 'the delivery');
    await consumption.stop();
    await bus.close();

    const restarted = open(file);
    const counts: number[] = [];
    const next = await restarted.consume(async (_message, context) => void counts.push(context.deliveryCount), {
      concurrency: 1,
    });
    await waitFor(async () => counts.length === 1, 'the redelivery');
    expect(counts).toEqual([1]);
    await next.stop();
    await restarted.close();
  });

  it('dead-letters a command the process died on at every delivery', async () => {
    const file = newFile();
    const command = routedCommand({ type: 'RunInvestigation' });
    for (let run = 1; run <= 3; run++) {
      const bus = open(file, new Metrics(), 3);
      const delivered = deferred<void>();
      await bus.consume(
        async () => {
          delivered.resolve();
          await new Promise(() => undefined); // dies holding it
        },
        { concurrency: 1 },
      );
      if (run === 1) await bus.send(command);
      await within(delivered.promise, `delivery ${run}`);
    }
    const metrics = new Metrics();
    const last = open(file, metrics, 3);
    expect(await deadLettered(metrics, 'max_deliver')).toBe(1);
    expect(last.outstanding()).toBe(0);
    await last.close();
  });
});
