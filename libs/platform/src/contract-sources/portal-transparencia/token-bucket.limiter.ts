export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Token bucket: `perMinute` tokens a minute, at most `burst` saved up. With burst 1 requests
 * are evenly spaced, so no 60-second window ever holds more than `perMinute` of them.
 */
export class TokenBucketLimiter {
  private tokens: number;
  private updatedAt: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly now: () => number,
    private readonly sleep: Sleep,
  ) {
    if (!(perMinute > 0)) throw new RangeError(`requestsPerMinute must be positive, got ${perMinute}`);
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Resolves when a request may go; callers are served in arrival order. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.wait(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async wait(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute), signal);
    }
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) * this.perMinute) / 60_000);
    this.updatedAt = now;
  }
}
