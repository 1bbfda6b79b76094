import { EMPTY, concatMap, defer, from, merge, of, type Observable } from 'rxjs';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port.js';
import type { LiveFeed } from './live-feed.js';

const CATCH_UP = Symbol('catch-up');

/**
 * History after `afterRevision`, then live, with no gap and no duplicate.
 *
 * The live subscription opens before history is read, and revisions are contiguous per
 * stream, so every event is either next in line (emitted), already emitted (dropped), or
 * ahead of a gap (the gap is read from the store first). This holds whatever the order
 * in which the store read and the live feed race each other.
 */
export function catchUpThenLive(store: EventStore, feed: LiveFeed, streamId: string, afterRevision = 0, pageSize = 500): Observable<RecordedEvent> {
  return defer(() => {
    let last = afterRevision;
    const readFromStore = (): Observable<RecordedEvent> =>
      defer(async () => {
        const events: RecordedEvent[] = [];
        for (;;) {
          const page = await store.readStream(streamId, { after: last + events.length, maxCount: pageSize });
          events.push(...page);
          if (page.length < pageSize) return events;
        }
      }).pipe(concatMap((events) => from(events)));

    return merge(of<typeof CATCH_UP>(CATCH_UP), feed.stream(streamId)).pipe(
      concatMap((signal) => {
        if (signal !== CATCH_UP) {
          if (signal.revision <= last) return EMPTY;
          if (signal.revision === last + 1) return of(signal);
        }
        return readFromStore();
      }),
      concatMap((event) => {
        if (event.revision !== last + 1) return EMPTY;
        last = event.revision;
        return of(event);
      }),
    );
  });
}
