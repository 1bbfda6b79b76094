import { describe, expect, it } from '@jest/globals';
import { BatchingQueue } from './batching-queue.js';

/** A processor whose batches finish only when the test says so. */
function gatedProcessor() {
  const batches: number[][] = [];
  const gates: Array<() => void> = [];
  const process = (batch: number[]) =>
    new Promise<void>((resolve) => {
      batches.push(batch);
      gates.push(resolve);
    });
  return { batches, process, open: () => gates.shift()?.() };
}

/** Lets pending callbacks run until the condition holds. */
async function settled(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('batching queue', () => {
  it('processes the first item at once and what arrives meanwhile as the next batch, in order', async () => {
    const p = gatedProcessor();
    const queue = new BatchingQueue(p.process);
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(p.batches).toEqual([[1]]);
    p.open();
    await settled(() => p.batches.length === 2);
    expect(p.batches).toEqual([[1], [2, 3]]);
    p.open();
    await queue.flush();
    queue.push(4);
    p.open();
    await queue.flush();
    expect(p.batches).toEqual([[1], [2, 3], [4]]);
  });

  it('reports the first failure on flush and drops what follows', async () => {
    const seen: number[][] = [];
    const queue = new BatchingQueue<number>(async (batch) => {
      seen.push(batch);
      throw new Error('store down');
    });
    queue.push(1);
    await expect(queue.flush()).rejects.toThrow('store down');
    queue.push(2);
    await expect(queue.flush()).rejects.toThrow('store down');
    expect(seen).toEqual([[1]]);
  });

  it('holds the next batch until the minimum interval has passed, gathering what arrives meanwhile', async () => {
    const batches: string[][] = [];
    let intervalOver: () => void = () => undefined;
    const wait = () => new Promise<void>((resolve) => (intervalOver = resolve));
    const queue = new BatchingQueue<string>(async (batch) => void batches.push(batch), 60_000, wait);
    queue.push('a');
    await queue.flush();
    queue.push('b');
    await Promise.resolve();
    queue.push('c');
    expect(batches).toEqual([['a']]);
    intervalOver();
    await queue.flush();
    expect(batches).toEqual([['a'], ['b', 'c']]);
  });
});
