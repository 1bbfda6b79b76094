import { EMPTY, concatMap, defer, from, merge, of, type Observable } from 'rxjs';
import type { EventStore, LiveFeed, RecordedEvent } from '#platform';

const CATCH_UP = Symbol('catch-up');

/**
 * Every event after global position `after`: history, then live, no gap, no duplicate.
 *
 * Positions are not contiguous (a rolled-back PostgreSQL insert burns one), so a gap cannot
 * be detected the way catchUpThenLive does with revisions. Instead the live subscription
 * opens before history is read: whatever committed before it is in the read, whatever
 * commits after arrives live in position order, and the overlap is dropped by position.
 */
export function allEventsAfter(store: EventStore, feed: LiveFeed, after: number, pageSize = 500): Observable<RecordedEvent> {
  return defer(() => {
    let last = after;
    const readFromStore = (): Observable<RecordedEvent> =>
      defer(async function* () {
        let cursor = last;
        for (;;) {
          const page = await store.readAll({ after: cursor, maxCount: pageSize });
          yield page;
          if (page.length < pageSize) return;
          cursor = page.at(-1)?.position ?? cursor;
        }
      }).pipe(concatMap((page) => from(page).pipe(concatMap(keepIfNew))));
    const keepIfNew = (event: RecordedEvent): Observable<RecordedEvent> => {
      if (event.position <= last) return EMPTY;
      last = event.position;
      return of(event);
    };
    return merge(of<typeof CATCH_UP>(CATCH_UP), feed.all()).pipe(concatMap((signal) => (signal === CATCH_UP ? readFromStore() : keepIfNew(signal))));
  });
}
