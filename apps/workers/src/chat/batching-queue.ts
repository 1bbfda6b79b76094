import { setTimeout as delay } from 'node:timers/promises';

/**
 * Processes pushed items in order, one batch at a time: whatever arrives while a batch is
 * being processed (or during `minIntervalMs` after it started) becomes the next batch. A
 * fast producer (tokens, investigation events) then costs one append per interval instead
 * of one per item, and a slow one still gets each item through at once.
 */
export class BatchingQueue<T> {
  private pending: T[] = [];
  private running: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly process: (batch: T[]) => Promise<void>,
    private readonly minIntervalMs = 0,
    private readonly wait: (ms: number) => Promise<unknown> = (ms) => delay(ms),
  ) {}

  push(item: T): void {
    if (this.failure) return;
    this.pending.push(item);
    this.running ??= this.drain();
  }

  /** Resolves once everything pushed so far is processed; rejects with the first failure. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.failure) throw this.failure.error;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const early = this.lastStart + this.minIntervalMs - performance.now();
        if (early > 0) await this.wait(early);
        this.lastStart = performance.now();
        const batch = this.pending;
        this.pending = [];
        await this.process(batch);
      }
    } catch (error) {
      this.failure = { error };
      this.pending = [];
    } finally {
      this.running = null;
    }
  }
}
