import { describe, expect, it } from '@jest/globals';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles per failure up to the cap, half of it random', () => {
    const low = (attempt: number) => backoffDelay(attempt, { initialDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
    const high = (attempt: number) =>
      backoffDelay(attempt, { initialDelayMs: 100, maxDelayMs: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map(low)).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map(high)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('spreads clients a restart dropped together over the window instead of one instant', () => {
    let seed = 42;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const delays = Array.from({ length: 1000 }, () => backoffDelay(3, { initialDelayMs: 1000, random }));
    const seconds = new Set(delays.map((d) => Math.floor(d / 1000)));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(4000);
    expect(seconds.size).toBeGreaterThanOrEqual(2);
    expect(new Set(delays).size).toBeGreaterThan(500);
  });

  it('waits at least what the server asked, jittered upwards', () => {
    expect(backoffDelay(1, { random: () => 0 }, 5000)).toBe(5000);
    expect(backoffDelay(1, { random: () => 0.5 }, 5000)).toBe(5250);
    // A restart (1012) asks for no wait: the clients still spread over half a second.
    expect(backoffDelay(1, { random: () => 0.999 }, 0)).toBeLessThanOrEqual(500);
    expect(backoffDelay(1, { random: () => 0.999 }, 0)).toBeGreaterThan(0);
  });
});
