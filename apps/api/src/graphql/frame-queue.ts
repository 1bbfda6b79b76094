import type { HubSink } from '#eventsourcing';

/**
 * Frames waiting for one GraphQL subscription, pulled by graphql-ws one message at a time
 * (each pull waits for the previous message to be written). At `limit` frames the producer
 * is told the queue is full: a hub then leaves its live set and catches up from the store
 * once the queue drained, so a slow client costs a bounded queue, never a lost frame.
 */
export class FrameQueue<T> implements AsyncIterableIterator<T> {
  private readonly frames: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private failWaiting: ((error: unknown) => void) | null = null;
  private drained: Array<() => void> = [];
  private ended = false;
  private failure: { error: unknown } | null = null;
  private closed = false;
  /** Called once when the consumer stops early (client completes, socket closes). */
  onReturn: (() => void) | null = null;

  constructor(private readonly limit: number) {}

  /** Frames waiting to be pulled. */
  get size(): number {
    return this.frames.length;
  }

  get full(): boolean {
    return this.frames.length >= this.limit;
  }

  /** Adds a frame; false once the queue holds `limit` frames or more. */
  push(frame: T): boolean {
    if (this.closed || this.ended) return true;
    const waiter = this.waiting;
    if (waiter) {
      this.clearWaiter();
      waiter({ value: frame, done: false });
    } else this.frames.push(frame);
    return !this.full;
  }

  end(): void {
    this.ended = true;
    this.settleWaiter();
  }

  fail(error: unknown): void {
    if (this.ended || this.closed) return;
    this.failure = { error };
    this.ended = true;
    this.settleWaiter();
  }

  /** Resolves once the consumer took the queue below half its limit, or stopped. */
  whenDrained(): Promise<void> {
    if (this.closed || this.frames.length < this.limit / 2) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  next(): Promise<IteratorResult<T>> {
    const frame = this.frames.shift();
    if (frame !== undefined) {
      if (this.frames.length < this.limit / 2) this.releaseDrained();
      return Promise.resolve({ value: frame, done: false });
    }
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.ended || this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.closed) {
      this.closed = true;
      this.frames.length = 0;
      this.releaseDrained();
      this.settleWaiter();
      const onReturn = this.onReturn;
      this.onReturn = null;
      onReturn?.();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private settleWaiter(): void {
    const waiter = this.waiting;
    const failWaiter = this.failWaiting;
    if (!waiter || !failWaiter) return;
    this.clearWaiter();
    if (this.failure && !this.closed) failWaiter(this.failure.error);
    else waiter({ value: undefined, done: true });
  }

  private clearWaiter(): void {
    this.waiting = null;
    this.failWaiting = null;
  }

  private releaseDrained(): void {
    const drained = this.drained;
    this.drained = [];
    for (const resolve of drained) resolve();
  }
}

/**
 * A hub subscriber writing into `queue`, each frame as `map` makes it: full is "leave the
 * live set", drained is "catch up again".
 */
export function queueSink<Frame, T>(queue: FrameQueue<T>, map: (frame: Frame) => T): HubSink<Frame> {
  return {
    write: (frames) => {
      let taken = true;
      for (const frame of frames) taken = queue.push(map(frame));
      return taken;
    },
    writable: () => queue.whenDrained(),
    end: () => queue.end(),
    error: (error) => queue.fail(error),
  };
}
