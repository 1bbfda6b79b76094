import type { RecordedEvent } from '#eventsourcing';

/** How many events, and how many characters of their stored JSON, are kept at most. */
export interface RecentEventsBound {
  readonly events: number;
  readonly characters: number;
}

/**
 * The newest events of the store, in position order, within a bound: every event with
 * a position above `floor` that the store holds is here, so a read of the global order after
 * a position at or above the floor is answered without the database, and so is a read of a
 * stream from one of its events kept on. Adding past the bound drops the oldest event and
 * raises the floor to it. The events are shared by every reader.
 */
export class RecentEvents {
  private events: RecordedEvent[] = [];
  /** The stored JSON length of each event in `events`, at the same index. */
  private sizes: number[] = [];
  private characters = 0;
  /** The events kept of each stream, in revision order: a run of contiguous revisions. */
  private readonly streams = new Map<string, RecordedEvent[]>();
  /** Index of the oldest event kept: the ones before it are dropped. */
  private start = 0;
  private lowest = 0;

  constructor(private readonly bound: RecentEventsBound) {}

  /** Every event above this position is here. */
  get floor(): number {
    return this.lowest;
  }

  /** The newest position kept, or the floor when none is. */
  get head(): number {
    return this.events.at(-1)?.position ?? this.lowest;
  }

  /** Forgets every event: from now on only events above `floor` are kept. */
  reset(floor: number): void {
    this.events = [];
    this.sizes = [];
    this.characters = 0;
    this.streams.clear();
    this.start = 0;
    this.lowest = floor;
  }

  /**
   * Keeps events that come after the newest one kept, in position order; others are ignored.
   * `sizes`: each event's stored JSON length, at the same index.
   */
  add(events: readonly RecordedEvent[], sizes: readonly number[]): void {
    events.forEach((event, index) => {
      if (event.position <= this.head) return;
      const size = sizes[index] ?? 0;
      this.events.push(event);
      this.sizes.push(size);
      this.characters += size;
      const stream = this.streams.get(event.streamId);
      if (stream) stream.push(event);
      else this.streams.set(event.streamId, [event]);
      while (this.start < this.events.length && this.beyondBound()) this.dropOldest();
    });
  }

  /**
   * The events above `after`, at most `maxCount`, or null when some of them may be older
   * than the events kept (`after` below the floor).
   */
  after(after: number, maxCount?: number): RecordedEvent[] | null {
    if (after < this.lowest) return null;
    const first = this.firstAbove(after);
    return this.events.slice(first, end(first, maxCount));
  }

  /**
   * The stream's events above revision `after`, at most `maxCount`, or null when some of
   * them may not be kept. A stream's positions grow with its revisions, so from its oldest
   * event kept on, every event of the stream is here.
   */
  ofStream(streamId: string, after: number, maxCount?: number): RecordedEvent[] | null {
    const kept = this.streams.get(streamId);
    const oldest = kept?.[0]?.revision;
    if (!kept || oldest === undefined || oldest > after + 1) return null;
    const first = Math.max(0, after + 1 - oldest);
    return kept.slice(first, end(first, maxCount));
  }

  /** The stream's newest event, when any of its events is kept (its newest is then kept too), or null. */
  lastOf(streamId: string): RecordedEvent[] | null {
    const last = this.streams.get(streamId)?.at(-1);
    return last ? [last] : null;
  }

  private beyondBound(): boolean {
    return this.events.length - this.start > this.bound.events || this.characters > this.bound.characters;
  }

  private dropOldest(): void {
    const oldest = this.events[this.start] as RecordedEvent;
    this.lowest = oldest.position;
    this.characters -= this.sizes[this.start] ?? 0;
    this.start += 1;
    const stream = this.streams.get(oldest.streamId) as RecordedEvent[];
    stream.shift();
    if (stream.length === 0) this.streams.delete(oldest.streamId);
    // Dropped events are released once they outnumber the kept ones: amortised O(1) per event.
    if (this.start >= this.events.length - this.start) {
      this.events = this.events.slice(this.start);
      this.sizes = this.sizes.slice(this.start);
      this.start = 0;
    }
  }

  /** Index of the first kept event whose position is above `after` (binary search). */
  private firstAbove(after: number): number {
    let [low, high] = [this.start, this.events.length];
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.events[middle] as RecordedEvent).position > after) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

/** Where a page of at most `maxCount` (none or a negative one: all, as SQL's LIMIT) starting at `first` ends. */
function end(first: number, maxCount: number | undefined): number | undefined {
  return maxCount === undefined || maxCount < 0 ? undefined : first + maxCount;
}

/**
 * Freezes an event and everything its data and metadata hold: one object is handed to every
 * reader and feed subscriber, so none of them can change what another one sees.
 */
export function freezeEvent(event: RecordedEvent): RecordedEvent {
  freezeDeep(event);
  return event;
}

function freezeDeep(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const inner of Object.values(value)) freezeDeep(inner);
}
