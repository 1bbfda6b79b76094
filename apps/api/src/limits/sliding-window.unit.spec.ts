import { describe, expect, it } from '@jest/globals';
import { SlidingWindowCounter } from './sliding-window.js';

describe('SlidingWindowCounter', () => {
  it('allows `limit` hits per window and says when the oldest expires', () => {
    let now = 1_000;
    const counter = new SlidingWindowCounter(60_000, () => now);
    expect(counter.take('ana', 2)).toBe(0);
    now += 10_000;
    expect(counter.take('ana', 2)).toBe(0);
    now += 5_000;
    expect(counter.take('ana', 2)).toBe(45_000);
    expect(counter.take('bob', 2)).toBe(0);
    now += 45_000;
    expect(counter.take('ana', 2)).toBe(0);
  });

  it('forgets idle keys once a window has passed', () => {
    let now = 0;
    const counter = new SlidingWindowCounter(1_000, () => now);
    counter.take('a', 1);
    counter.take('b', 1);
    now = 1_500;
    counter.take('c', 1);
    expect(counter.trackedKeys).toBe(1);
  });
});
