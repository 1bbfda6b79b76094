import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { silentLogger } from '../logging/logger.js';
import { installGracefulShutdown, type ShutdownStep } from './graceful-shutdown.js';

function harness(steps: readonly ShutdownStep[], timeoutMs = 60_000) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  let onExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => {
    onExit = resolve;
  });
  const shutdown = installGracefulShutdown({
    logger: silentLogger,
    steps,
    timeoutMs,
    emitter: signals,
    exit: (code) => {
      exits.push(code);
      onExit(code);
    },
  });
  return { signals, exits, exited, shutdown };
}

/** A step that stays pending until released, to hold a shutdown midway. */
function heldStep(name: string, log: string[]) {
  let release: () => void = () => undefined;
  let entered: () => void = () => undefined;
  const hasEntered = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const step: ShutdownStep = {
    name,
    run: () =>
      new Promise<void>((resolve) => {
        log.push(name);
        release = resolve;
        entered();
      }),
  };
  return { step, entered: hasEntered, release: () => release() };
}

describe('installGracefulShutdown', () => {
  it('runs the steps in order on SIGTERM, then exits 0', async () => {
    const log: string[] = [];
    const first = heldStep('first', log);
    const { signals, exited, shutdown } = harness([first.step, { name: 'second', run: () => void log.push('second') }]);
    signals.emit('SIGTERM', 'SIGTERM');
    await first.entered;
    expect(log).toEqual(['first']);
    first.release();
    expect(await exited).toBe(0);
    expect(log).toEqual(['first', 'second']);
    shutdown.dispose();
  });

  it('carries on past a failing step and exits 1', async () => {
    const log: string[] = [];
    const { signals, exited, shutdown } = harness([
      { name: 'broken', run: () => Promise.reject(new Error('boom')) },
      { name: 'after', run: () => void log.push('after') },
    ]);
    signals.emit('SIGINT', 'SIGINT');
    expect(await exited).toBe(1);
    expect(log).toEqual(['after']);
    shutdown.dispose();
  });

  it('forces exit 1 on a second signal while a step hangs', async () => {
    const log: string[] = [];
    const hang = heldStep('hang', log);
    const { signals, exited, exits, shutdown } = harness([hang.step]);
    signals.emit('SIGTERM', 'SIGTERM');
    await hang.entered;
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(1);
    expect(exits).toEqual([1]);
    shutdown.dispose();
    hang.release();
  });

  it('forces exit 1 when the steps outlast the timeout', async () => {
    const hang = heldStep('hang', []);
    const { signals, exited, shutdown } = harness([hang.step], 20);
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(1);
    shutdown.dispose();
    hang.release();
  });

  it('runs the steps once however often shutdown() is called', async () => {
    let runs = 0;
    const { exited, shutdown } = harness([{ name: 'count', run: () => void runs++ }]);
    await Promise.all([shutdown.shutdown('test'), shutdown.shutdown('test again')]);
    expect(await exited).toBe(0);
    expect(runs).toBe(1);
    shutdown.dispose();
  });
});
