/**
 * Runs submitted work one item at a time, in order. A failure rejects only its own
 * submission; the next item still runs.
 */
export class Mailbox {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  get size(): number {
    return this.pending;
  }

  post<T>(work: () => Promise<T>): Promise<T> {
    this.pending += 1;
    const run = this.tail.then(work, work);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run.finally(() => {
      this.pending -= 1;
    });
  }
}
