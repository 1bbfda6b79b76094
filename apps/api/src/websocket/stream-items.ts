import { map, type Observable } from 'rxjs';
import { catchUpThenLive, decodeWith, type Stored, type LiveFeed, type EventStore } from '#eventsourcing';
import { chatEventCatalog, chatStreamId, type ChatEvent } from '#chat';

/** A chat session's stored events after `afterId`, for endpoints that shape them per connection. */
export function chatEvents(
  store: EventStore,
  feed: LiveFeed,
  sessionId: string,
): (afterId: number) => Observable<{ readonly id: number; readonly event: Stored<ChatEvent> }> {
  return (afterId) =>
    catchUpThenLive(store, feed, chatStreamId(sessionId), afterId).pipe(
      decodeWith(chatEventCatalog),
      map((event) => ({ id: event.revision, event })),
    );
}
