const LOG_MIN = 0; // ln(1 BRL): smaller values are clamped into the first bin
const LOG_MAX = 28; // ln(~1.4e12 BRL)
const WIDTH = 0.02;
const BINS = Math.ceil((LOG_MAX - LOG_MIN) / WIDTH);

export interface RobustStats {
  readonly median: number;
  readonly mad: number;
  readonly count: number;
}

/**
 * Fixed-size histogram of log values: O(1) memory per category whatever the volume, and
 * order-independent, so median and MAD (to within 1% in value) do not depend on batching.
 */
export class LogHistogram {
  private readonly bins = new Uint32Array(BINS);
  private total = 0;

  get count(): number {
    return this.total;
  }

  add(logValue: number): void {
    const index = Math.min(BINS - 1, Math.max(0, Math.floor((logValue - LOG_MIN) / WIDTH)));
    this.bins[index] = (this.bins[index] ?? 0) + 1;
    this.total++;
  }

  stats(): RobustStats {
    const prefix = new Float64Array(BINS + 1);
    for (let i = 0; i < BINS; i++) prefix[i + 1] = (prefix[i] ?? 0) + (this.bins[i] ?? 0);
    const half = this.total / 2;
    const median = this.quantilePosition(prefix, half);
    const covered = (r: number): number => cumulativeAt(prefix, median + r) - cumulativeAt(prefix, median - r);
    let low = 0;
    let high = LOG_MAX - LOG_MIN;
    for (let step = 0; step < 40; step++) {
      const mid = (low + high) / 2;
      if (covered(mid) >= half) high = mid;
      else low = mid;
    }
    return { median, mad: high, count: this.total };
  }

  private quantilePosition(prefix: Float64Array, target: number): number {
    let low = LOG_MIN;
    let high = LOG_MAX;
    for (let step = 0; step < 40; step++) {
      const mid = (low + high) / 2;
      if (cumulativeAt(prefix, mid) >= target) high = mid;
      else low = mid;
    }
    return high;
  }
}

/** Count of values below `logValue`, spreading each bin's count evenly across its width. */
function cumulativeAt(prefix: Float64Array, logValue: number): number {
  const position = (logValue - LOG_MIN) / WIDTH;
  if (position <= 0) return 0;
  if (position >= BINS) return prefix[BINS] ?? 0;
  const index = Math.floor(position);
  const before = prefix[index] ?? 0;
  return before + ((prefix[index + 1] ?? 0) - before) * (position - index);
}
