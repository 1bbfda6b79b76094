import { Observable } from 'rxjs';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port.js';
import type { LiveFeed } from './live-feed.js';
import type { Pacing } from './pacing.js';

/** Where a follower reads from: a page of events after a key, and the live events of the same sequence. */
export interface FollowSource {
  read(after: number, maxCount: number): Promise<readonly RecordedEvent[]>;
  live(): Observable<RecordedEvent>;
  /** The resume key, strictly increasing along the sequence: a stream's revision, or the global position. */
  keyOf(event: RecordedEvent): number;
  /** Keys go up by one (a stream's revisions), so a live event that is not the next one reveals a gap. */
  readonly contiguous?: boolean;
}

export interface FollowOptions {
  /** Events read from the store per query (default 500). */
  readonly pageSize?: number;
  /** The consumer's pace; without one, events are emitted as fast as they are read. */
  readonly pacing?: Pacing;
  /**
   * The sequence's last event. The follower completes after emitting it, or as soon as it
   * learns of it when the consumer already resumed past it (a client that has the end).
   */
  readonly isEnd?: (event: RecordedEvent) => boolean;
}

/**
 * The sequence after `after`: history read a page at a time, then live, with no gap and no
 * duplicate, holding at most one page whatever the sequence's length.
 *
 * The live subscription opens before the first read. While reading, live events are only
 * noted (the store holds them; keeping them would grow with the consumer's lag); the
 * follower goes live once a read came back short and no live event beyond what it emitted
 * was noted meanwhile, else it reads again. Live events are emitted while the consumer keeps
 * up; one it cannot take yet, or one after a gap, sends the follower back to reading from
 * the store: a slow consumer costs its socket buffer, never a queue here.
 */
export function follow(source: FollowSource, after: number, options: FollowOptions = {}): Observable<RecordedEvent> {
  const pageSize = options.pageSize ?? 500;
  const { pacing, isEnd } = options;
  return new Observable<RecordedEvent>((subscriber) => {
    let last = after;
    let live = false;
    let noted = after;
    let endNoted = false;
    let liveEnded = false;
    let stopped = false;

    const emit = (event: RecordedEvent): void => {
      last = source.keyOf(event);
      subscriber.next(event);
      if (isEnd?.(event)) finish();
    };
    const finish = (): void => {
      stopped = true;
      subscriber.complete();
    };
    const read = async (): Promise<void> => {
      for (;;) {
        const page = await source.read(last, pageSize);
        if (stopped) return;
        let interrupted = false;
        for (const event of page) {
          if (source.keyOf(event) <= last) continue;
          const wait = pacing?.ready();
          if (wait) {
            // The rest of the page is dropped, not held: it is read again once the consumer drained.
            await wait;
            interrupted = true;
            break;
          }
          emit(event);
          if (stopped) return;
        }
        if (stopped) return;
        if (endNoted) return finish();
        if (!interrupted && page.length < pageSize && noted <= last) {
          // Caught up. A closed live feed (shutdown) ends the stream here; the client resumes elsewhere.
          if (liveEnded) return finish();
          live = true;
          return;
        }
      }
    };
    const startReading = (): void => {
      live = false;
      read().catch((error: unknown) => {
        if (!stopped) subscriber.error(error);
      });
    };

    const subscription = source.live().subscribe({
      next: (event) => {
        if (stopped) return;
        const key = source.keyOf(event);
        if (key <= last) {
          if (!isEnd?.(event)) return;
          if (live) finish();
          else endNoted = true;
          return;
        }
        if (!live) {
          noted = Math.max(noted, key);
          return;
        }
        if (pacing?.ready() || (source.contiguous === true && key !== last + 1)) {
          noted = key;
          return startReading();
        }
        emit(event);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => {
        liveEnded = true;
        if (live && !stopped) finish();
      },
    });
    if (!stopped) startReading();
    return () => {
      stopped = true;
      subscription.unsubscribe();
    };
  });
}

/** One stream by revision: its SSE ids. */
export function streamSource(store: EventStore, feed: LiveFeed, streamId: string): FollowSource {
  return {
    read: (after, maxCount) => store.readStream(streamId, { after, maxCount }),
    live: () => feed.stream(streamId),
    keyOf: (event) => event.revision,
    contiguous: true,
  };
}

/** Every stream by global position (positions may skip numbers: no gap detection). */
export function allStreamsSource(store: EventStore, feed: LiveFeed): FollowSource {
  return {
    read: (after, maxCount) => store.readAll({ after, maxCount }),
    live: () => feed.all(),
    keyOf: (event) => event.position,
  };
}

/** A stream's events after `afterRevision`, history then live (see follow). */
export function catchUpThenLive(
  store: EventStore,
  feed: LiveFeed,
  streamId: string,
  afterRevision = 0,
  options: FollowOptions = {},
): Observable<RecordedEvent> {
  return follow(streamSource(store, feed, streamId), afterRevision, options);
}
