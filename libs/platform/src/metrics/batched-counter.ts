import type { Counter } from 'prom-client';

/**
 * A counter increment per delivered frame would be a call per event per subscriber; streams
 * add to a plain number instead, flushed into the Prometheus counter once a tick and when a
 * stream closes, so a scrape lags a second at most and a finished stream is counted exactly.
 */
export class BatchedCounter<Label extends string> {
  pending = 0;

  constructor(
    private readonly counter: Counter<Label>,
    private readonly labels: Partial<Record<Label, string>>,
  ) {}

  flush(): void {
    if (this.pending === 0) return;
    this.counter.inc(this.labels, this.pending);
    this.pending = 0;
  }
}
