import { describe, expect, it } from '@jest/globals';
import { CompressionPolicy } from './compression-policy.js';

/** Writes `count` frames of `bytes`, `gapMs` apart from `startMs`, all sent, none backed up; the last mode. */
function feed(policy: CompressionPolicy, count: number, bytes: number, gapMs: number, startMs = 0): string {
  let mode = policy.mode as string;
  for (let i = 0; i < count; i++) {
    mode = policy.next(bytes, startMs + i * gapMs, 0);
    policy.sent(bytes);
  }
  return mode;
}

describe('CompressionPolicy', () => {
  it('leaves tiny frames verbatim and compresses frames worth it', () => {
    const policy = new CompressionPolicy({ minFrameBytes: 256 });
    expect(feed(policy, 10, 20, 1000)).toBe('store');
    expect(feed(policy, 10, 2000, 1000, 10_000)).toBe('compress');
  });

  it('does not flap on one small frame among large ones: back to verbatim only below half the threshold', () => {
    const policy = new CompressionPolicy({ minFrameBytes: 256 });
    feed(policy, 5, 600, 1000);
    expect(policy.next(13, 5000, 0)).toBe('compress');
    expect(feed(policy, 3, 200, 1000, 6000)).toBe('compress');
    expect(feed(policy, 20, 20, 1000, 9000)).toBe('store');
  });

  it('stops compressing for a client that drains faster than the break-even rate, and resumes when it slows', () => {
    const policy = new CompressionPolicy({ minFrameBytes: 0 });
    // Measured: 0.2 of the input out, 100 ns per byte: it pays under (1 - 0.2) / 100 ns = 8 MB/s.
    for (let i = 0; i < 40; i++) policy.compressed(10_000, 2000, 1_000_000);
    expect(policy.breakEvenRate).toBeGreaterThan(7e6);
    expect(policy.breakEvenRate).toBeLessThan(9e6);
    // 50 MB/s offered and taken without a backlog: a lower bound well over break-even.
    expect(feed(policy, 3000, 50_000, 1)).toBe('store');
    expect(policy.measuredDrainRate).toBeGreaterThan(2 * policy.breakEvenRate);
    // The socket backs up: 1 MB written per second, of which the backlog keeps growing by 0.9 MB.
    let mode = policy.mode as string;
    for (let second = 0; second < 5; second++) {
      policy.sent(1_000_000);
      mode = policy.next(1000, 4000 + second * 1000, 900_000 * (second + 1));
    }
    expect(policy.measuredDrainRate).toBeLessThan(policy.breakEvenRate);
    expect(mode).toBe('compress');
  });

  it('keeps compressing a quiet stream: its offered rate says nothing of a fast link', () => {
    const policy = new CompressionPolicy({ minFrameBytes: 256 });
    expect(feed(policy, 60, 1500, 500)).toBe('compress');
  });

  it('probes a busy compressed stream verbatim: a client that keeps up stays verbatim, one that falls behind does not', () => {
    const probe = (backlogGrowth: number): string[] => {
      const policy = new CompressionPolicy({ minFrameBytes: 64 });
      // 2 µs per byte, ratio 0.15: it pays under 425 kB/s; 1,000 frames of 600 B a second, 90 kB/s compressed.
      for (let i = 0; i < 40; i++) policy.compressed(600, 90, 1_200_000);
      const modes: string[] = [];
      let backlog = 0;
      for (let ms = 0; ms <= 14_000; ms++) {
        const mode = policy.next(600, ms, backlog);
        policy.sent(mode === 'store' ? 600 : 90);
        if (mode === 'store') backlog += backlogGrowth;
        if (ms % 1000 === 999) modes.push(mode);
      }
      return modes;
    };
    const fast = probe(0);
    // The first probe after two windows.
    expect(fast.slice(0, 2)).toEqual(['compress', 'compress']);
    expect(fast.slice(2)).toEqual(Array(12).fill('store'));
    // Half of every verbatim frame stays in the socket's buffer: 300 kB/s drained, under break-even.
    const slow = probe(300);
    // Probed at 2 s and again 10 s after.
    expect(slow.slice(0, 5)).toEqual(['compress', 'compress', 'store', 'compress', 'compress']);
    expect(slow.slice(11, 14)).toEqual(['compress', 'compress', 'store']);
  });
});
