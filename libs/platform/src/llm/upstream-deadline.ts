/**
 * Aborts an upstream call that stays silent too long: before the response starts, and
 * between two pieces of its body. Re-armed on every piece, so a long answer that keeps
 * flowing is never cut.
 */
export class UpstreamDeadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly ms: number) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  arm(): void {
    this.disarm();
    this.timer = setTimeout(() => this.controller.abort(new Error(`no answer within ${this.ms} ms`)), this.ms);
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Ends the upstream request now (the reader stopped early). */
  cancel(): void {
    this.disarm();
    if (!this.controller.signal.aborted) this.controller.abort(new Error('cancelled'));
  }
}
