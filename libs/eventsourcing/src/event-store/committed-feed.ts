import { Subject, defer, filter, type Observable } from 'rxjs';
import type { RecordedEvent } from './event-store.port.js';

/**
 * The hot, shared live feed every adapter publishes into.
 *
 * A subscriber must not receive events committed before it subscribed, but a remote store
 * cannot be asked for its head synchronously. So each subscriber keeps the events above
 * the highest position this process already knows to be committed at its subscription
 * instant: what the feed has accepted, or what this process appended itself. Anything
 * committed later has a higher position, because every adapter's positions grow in commit
 * order, so nothing committed after the instant is ever filtered out. The one imprecision
 * goes the harmless way: an event another process committed just before the instant, not
 * yet read by this feed, can still be delivered. Adapters keep the feed running from the
 * moment they open, whether or not anyone subscribes, so its head is never far behind.
 */
export class CommittedFeed {
  private readonly subject = new Subject<RecordedEvent>();
  private readonly queue: RecordedEvent[] = [];
  private accepted = 0;
  private committedHere = 0;
  private draining = false;

  /** Highest position accepted into the feed: where the next read must start. */
  get head(): number {
    return this.accepted;
  }

  get hasSubscribers(): boolean {
    return this.subject.observed;
  }

  observe(): Observable<RecordedEvent> {
    return defer(() => {
      const after = Math.max(this.accepted, this.committedHere);
      return this.subject.pipe(filter((event) => event.position > after));
    });
  }

  /** Records a position this process committed, before the feed necessarily saw it. */
  noteCommitted(position: number): void {
    this.committedHere = Math.max(this.committedHere, position);
  }

  /** Moves the start of the next read without emitting: only while nobody listens. */
  skipTo(position: number): void {
    this.accepted = Math.max(this.accepted, position);
  }

  /**
   * Emits events in position order, dropping any already accepted (a poll and a
   * notification may read the same rows). A subscriber that appends from inside its
   * handler only enqueues, so other subscribers still see positions in order.
   */
  publish(events: readonly RecordedEvent[]): void {
    for (const event of events) {
      if (event.position <= this.accepted) continue;
      this.accepted = event.position;
      this.queue.push(event);
    }
    if (this.draining) return;
    this.draining = true;
    try {
      for (let event = this.queue.shift(); event; event = this.queue.shift()) this.subject.next(event);
    } finally {
      this.draining = false;
    }
  }

  complete(): void {
    this.queue.length = 0;
    this.subject.complete();
  }
}
