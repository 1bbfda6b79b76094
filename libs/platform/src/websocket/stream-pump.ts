import type { Observable, Subscription } from 'rxjs';

/** Anything sent from a stream: `id` is its revision, the client's resume point. */
export interface PumpItem {
  readonly id: number;
}

export interface StreamPumpOptions<T extends PumpItem> {
  /** The stream after `afterId`: history from the store, then live (catchUpThenLive). */
  readonly source: (afterId: number) => Observable<T>;
  readonly deliver: (item: T) => void;
  /** True once the transport holds more unsent bytes than its bound. */
  readonly overloaded: () => boolean;
  /** Calls `resume` once, when the transport has sent everything it holds. */
  readonly whenDrained: (resume: () => void) => void;
  /** The source ended; `last` is the last item delivered in this pump's life. */
  readonly onComplete: (last: T | null) => void;
  readonly onError: (error: unknown) => void;
  readonly onPause?: () => void;
}

/**
 * Delivers one stream to one client with bounded memory. When the client reads slower
 * than events arrive, the pump stops pulling instead of queueing, and once the transport
 * drained it reads what was missed from the store: the store is the buffer, not the heap.
 * Restarting from the last delivered id is also how a client's `resume` is served.
 */
export class StreamPump<T extends PumpItem> {
  private subscription: Subscription | null = null;
  private generation = 0;
  private lastId = 0;
  private last: T | null = null;
  private paused = false;
  private stopped = false;

  constructor(private readonly options: StreamPumpOptions<T>) {}

  get lastDeliveredId(): number {
    return this.lastId;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** (Re)starts after `afterId`, dropping whatever the previous source would still send. */
  startAfter(afterId: number): void {
    this.halt();
    this.lastId = afterId;
    this.paused = false;
    this.stopped = false;
    this.subscribe();
  }

  stop(): void {
    this.stopped = true;
    this.halt();
  }

  private subscribe(): void {
    const generation = ++this.generation;
    const current = (): boolean => generation === this.generation;
    const subscription = this.options.source(this.lastId).subscribe({
      next: (item) => {
        if (current()) this.onItem(item);
      },
      error: (error: unknown) => {
        if (current()) this.end(() => this.options.onError(error));
      },
      complete: () => {
        if (current()) this.end(() => this.options.onComplete(this.last));
      },
    });
    // A source may emit synchronously and get halted before subscribe() returned.
    if (current()) this.subscription = subscription;
    else subscription.unsubscribe();
  }

  private onItem(item: T): void {
    // Belt and braces: whatever the source does, a client never sees an id twice.
    if (item.id <= this.lastId) return;
    this.options.deliver(item);
    this.lastId = item.id;
    this.last = item;
    if (this.options.overloaded()) this.pause();
  }

  private pause(): void {
    this.paused = true;
    this.halt();
    this.options.onPause?.();
    this.options.whenDrained(() => {
      if (this.stopped || !this.paused) return;
      this.paused = false;
      this.subscribe();
    });
  }

  private end(report: () => void): void {
    this.halt();
    this.stopped = true;
    report();
  }

  private halt(): void {
    this.generation++;
    const subscription = this.subscription;
    this.subscription = null;
    subscription?.unsubscribe();
  }
}
