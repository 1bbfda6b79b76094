import { Observable, Subject, share, type Subscription } from 'rxjs';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port.js';

/**
 * The process's one live subscription to the store, fanned out by stream id so that a
 * thousand subscribers to a thousand streams cost one map lookup per event, not a
 * thousand filters.
 */
export class LiveFeed {
  private readonly byStream = new Map<string, Subject<RecordedEvent>>();
  private readonly all$: Observable<RecordedEvent>;
  private source: Subscription | null = null;
  private lastPosition = 0;
  private closed = false;

  constructor(private readonly store: EventStore) {
    this.all$ = new Observable<RecordedEvent>((subscriber) => {
      const inner = this.store.subscribe().subscribe(subscriber);
      return () => inner.unsubscribe();
    }).pipe(share());
  }

  /** Position of the last event seen live; compare with the store head for lag. */
  get position(): number {
    return this.lastPosition;
  }

  /**
   * Opens the live subscription now rather than with the first client, so `position` (and
   * the projection lag derived from it) tracks the store even while nobody is watching.
   */
  async start(): Promise<void> {
    this.ensureRouting();
    const head = await this.store.headPosition();
    this.lastPosition = Math.max(this.lastPosition, head);
  }

  /** Every live event, for feeds across streams. */
  all(): Observable<RecordedEvent> {
    return this.all$;
  }

  /** Live events of one stream. Subscribing never replays; use catch-up for history. */
  stream(streamId: string): Observable<RecordedEvent> {
    return new Observable<RecordedEvent>((subscriber) => {
      // After close() a late subscriber gets its catch-up and ends, instead of reopening the store.
      if (this.closed) {
        subscriber.complete();
        return undefined;
      }
      this.ensureRouting();
      let subject = this.byStream.get(streamId);
      if (!subject) {
        subject = new Subject<RecordedEvent>();
        this.byStream.set(streamId, subject);
      }
      const inner = subject.subscribe(subscriber);
      return () => {
        inner.unsubscribe();
        if (!subject.observed) this.byStream.delete(streamId);
      };
    });
  }

  private ensureRouting(): void {
    if (this.source) return;
    this.source = this.all$.subscribe({
      next: (event) => {
        // max: start() may have read a head that already counts this event.
        this.lastPosition = Math.max(this.lastPosition, event.position);
        this.byStream.get(event.streamId)?.next(event);
      },
      error: (error: unknown) => this.closeAll((s) => s.error(error)),
      complete: () => this.closeAll((s) => s.complete()),
    });
  }

  private closeAll(end: (subject: Subject<RecordedEvent>) => void): void {
    for (const subject of this.byStream.values()) end(subject);
    this.byStream.clear();
    this.source = null;
  }

  /** Ends every live stream (graceful shutdown): subscribers complete and clients resume elsewhere. */
  close(): void {
    this.closed = true;
    this.source?.unsubscribe();
    this.closeAll((s) => s.complete());
  }
}
