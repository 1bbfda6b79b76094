import { concatMap, defer, filter, from, map, of, timer, type Observable } from 'rxjs';
import { replayOffsets } from '#audit';
import type { Stored } from '#kernel';
import { investigationStreamId, toInvestigationWireEvent, type InvestigationEvent, type InvestigationWireEvent } from '#investigations';
import type { EventStore, RecordedEvent, SseMessage } from '#platform';

const PAGE_SIZE = 500;

/** The whole stream in revision order, page by page (one page in memory at a time for NDJSON). */
export async function* investigationHistory(store: EventStore, investigationId: string): AsyncGenerator<RecordedEvent> {
  const streamId = investigationStreamId(investigationId);
  let after = 0;
  for (;;) {
    const page = await store.readStream(streamId, { after, maxCount: PAGE_SIZE });
    yield* page;
    if (page.length < PAGE_SIZE) return;
    after = page.at(-1)?.revision ?? after;
  }
}

/** Every stored fact of an event: what the history endpoint returns. */
export const toHistoryItem = (event: RecordedEvent) => ({
  id: event.revision,
  position: event.position,
  stream_id: event.streamId,
  type: event.type,
  data: event.data,
  metadata: event.metadata,
});

/**
 * The history re-emitted with its original timing divided by `speed`, mapped like the live
 * stream so the same client renders both. Offsets are from the replay's start, not between
 * events, so slow writes do not accumulate drift.
 */
export function replayInvestigation(events: readonly RecordedEvent[], speed: number): Observable<SseMessage> {
  return defer(() => {
    const offsets = replayOffsets(events.map((event) => event.metadata.occurredAt), speed);
    const started = Date.now();
    return from(events.map((event, i) => ({ event, offset: offsets[i] ?? 0 }))).pipe(
      concatMap(({ event, offset }) => {
        const wait = started + offset - Date.now();
        return wait > 0 ? timer(wait).pipe(map(() => event)) : of(event);
      }),
      map((event) => ({ id: event.revision, data: toInvestigationWireEvent(event as unknown as Stored<InvestigationEvent>) })),
      filter((message): message is { id: number; data: InvestigationWireEvent } => message.data !== null),
    );
  });
}
