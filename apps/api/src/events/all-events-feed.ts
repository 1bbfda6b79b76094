import { EMPTY, concat, concatMap, defer, filter, merge, of, type Observable } from 'rxjs';
import type { EventStore, LiveFeed, RecordedEvent } from '#platform';

const CATCH_UP = Symbol('catch-up');

export interface AllEventsOptions {
  readonly pageSize?: number;
  /**
   * Paces the history: null when the consumer can take another event now, else a promise
   * for when it can. A consumer catching up on millions of events is fed as fast as it
   * reads, instead of overflowing its buffer and being cut off.
   */
  readonly whenReady?: () => Promise<void> | null;
}

/**
 * Every event after global position `after`: history, then live, no gap, no duplicate.
 *
 * Positions are not contiguous (a rolled-back PostgreSQL insert burns one), so a gap cannot
 * be detected the way catchUpThenLive does with revisions. Instead the live subscription
 * opens before history is read. While history is read, live events are ignored (they are
 * committed, so the reading finds them: memory does not grow with a long catch-up); once
 * the reading reached the head, live events are let through and one last read covers
 * what committed between the two. The overlap is dropped by position.
 */
export function allEventsAfter(store: EventStore, feed: LiveFeed, after: number, options: AllEventsOptions = {}): Observable<RecordedEvent> {
  const pageSize = options.pageSize ?? 500;
  return defer(() => {
    let last = after;
    let catchingUp = true;
    const keepIfNew = (event: RecordedEvent): Observable<RecordedEvent> => {
      if (event.position <= last) return EMPTY;
      last = event.position;
      return of(event);
    };
    // Pull-based: the generator reads the next page only once this one was delivered, and
    // waits for the consumer before each event, so at most one page is ever held.
    const readFromStore = (): Observable<RecordedEvent> =>
      defer(async function* () {
        let cursor = last;
        for (;;) {
          const page = await store.readAll({ after: cursor, maxCount: pageSize });
          for (const event of page) {
            const wait = options.whenReady?.();
            if (wait) await wait;
            yield event;
          }
          if (page.length < pageSize) return;
          cursor = page.at(-1)?.position ?? cursor;
        }
      }).pipe(concatMap(keepIfNew));
    const history = concat(
      readFromStore(),
      defer(() => {
        catchingUp = false;
        return readFromStore();
      }),
    );
    const live = feed.all().pipe(filter(() => !catchingUp));
    return merge(of<typeof CATCH_UP>(CATCH_UP), live).pipe(concatMap((signal) => (signal === CATCH_UP ? history : keepIfNew(signal))));
  });
}
