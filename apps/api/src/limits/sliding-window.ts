/**
 * Hits per key over a sliding window. Timestamps per key stay in arrival order, so expired
 * ones are dropped from the front; idle keys are swept once per window, without a timer to
 * clean up on shutdown.
 */
export class SlidingWindowCounter {
  private readonly hits = new Map<string, number[]>();
  private lastSweep: number;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSweep = now();
  }

  /** Records a hit unless the key already has `limit` in the window; returns 0, or the ms until a hit expires. */
  take(key: string, limit: number): number {
    const now = this.now();
    this.sweepIfDue(now);
    const recent = this.hits.get(key) ?? [];
    while (recent.length > 0 && (recent[0] ?? 0) <= now - this.windowMs) recent.shift();
    this.hits.set(key, recent);
    if (recent.length >= limit) return (recent[0] ?? now) + this.windowMs - now;
    recent.push(now);
    return 0;
  }

  get trackedKeys(): number {
    return this.hits.size;
  }

  private sweepIfDue(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, times] of this.hits) if ((times.at(-1) ?? 0) <= now - this.windowMs) this.hits.delete(key);
  }
}
