import { describe, expect, it } from '@jest/globals';
import { replayOffsets } from './replay-schedule.js';

describe('replayOffsets', () => {
  it('scales the original gaps by the speed', () => {
    expect(
      replayOffsets(['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z', '2026-01-01T00:00:11.000Z'], 10),
    ).toEqual([0, 100, 1100]);
  });

  it('never goes back in time when a clock was skewed', () => {
    expect(
      replayOffsets(['2026-01-01T00:00:05.000Z', '2026-01-01T00:00:04.000Z', '2026-01-01T00:00:06.000Z'], 1),
    ).toEqual([0, 0, 1000]);
  });

  it('is empty for an empty history', () => {
    expect(replayOffsets([], 2)).toEqual([]);
  });
});
