import { describe, expect, it } from '@jest/globals';
import { jitteredRetryMs } from './retry-jitter.js';

describe('jitteredRetryMs', () => {
  it('stays within ±20 % of the configured retry, reaching both ends', () => {
    expect(jitteredRetryMs(3000, () => 0)).toBe(2400);
    expect(jitteredRetryMs(3000, () => 0.5)).toBe(3000);
    expect(jitteredRetryMs(3000, () => 0.999999)).toBe(3600);
  });

  it('spreads streams over the range rather than giving them one value', () => {
    const values = new Set(Array.from({ length: 200 }, () => jitteredRetryMs(3000)));
    expect(values.size).toBeGreaterThan(50);
    for (const v of values) expect(v >= 2400 && v <= 3600).toBe(true);
  });

  it('never answers less than a millisecond', () => {
    expect(jitteredRetryMs(1, () => 0)).toBe(1);
  });
});
