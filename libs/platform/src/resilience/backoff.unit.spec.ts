import { describe, expect, it } from '@jest/globals';
import { jitteredBackoff } from './backoff.js';

describe('jitteredBackoff', () => {
  const delays = (random: number) => [0, 1, 2, 3, 10].map(jitteredBackoff({ minMs: 100, maxMs: 1_000 }, () => random));

  it('doubles up to the cap, keeping at least half of each step fixed', () => {
    expect(delays(0)).toEqual([50, 100, 200, 400, 500]);
    expect(delays(1)).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('spreads retries of processes that failed together over the other half', () => {
    expect(delays(0.5)).toEqual([75, 150, 300, 600, 750]);
  });
});
