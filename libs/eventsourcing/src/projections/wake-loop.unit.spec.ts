import { describe, expect, it } from '@jest/globals';
import { WakeLoop } from './wake-loop.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WakeLoop', () => {
  it('runs on the turn after its wake, once for all the wakes of that turn', async () => {
    const order: string[] = [];
    const loop = new WakeLoop(async () => void order.push('run'), { retryDelay: () => 1 });
    loop.start();
    await loop.settled();
    order.length = 0;

    setImmediate(() => order.push('work already waiting'));
    loop.wake();
    loop.wake();
    await Promise.resolve();
    expect(order).toEqual([]);
    await loop.settled();

    expect(order).toEqual(['work already waiting', 'run']);
    await loop.stop();
  });

  it('does not run a wake that stop() overtook', async () => {
    let runs = 0;
    const loop = new WakeLoop(async () => void (runs += 1), { retryDelay: () => 1 });
    loop.start();
    await loop.stop();
    await nextTurn();
    expect(runs).toBe(0);
  });
});
