/**
 * Turns callbacks (a socket's messages) into an async iterator: `push` queues a value,
 * `end` finishes the loop after what is queued, `fail` throws after what is queued.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private outcome: { readonly error: unknown } | 'ended' | null = null;
  private wake: (() => void) | null = null;

  push(item: T): void {
    if (this.outcome !== null) return;
    this.items.push(item);
    this.notify();
  }

  end(): void {
    this.outcome ??= 'ended';
    this.notify();
  }

  fail(error: unknown): void {
    this.outcome ??= { error };
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.outcome === 'ended') return;
      if (this.outcome !== null) throw this.outcome.error;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
