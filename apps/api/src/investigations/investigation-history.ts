import type { ServerResponse } from 'node:http';
import { Observable } from 'rxjs';
import { replayClock } from '#audit';
import { readPages, type EventStore, type Pacing, type RecordedEvent } from '#eventsourcing';
import { investigationEventCatalog, investigationStreamId, toInvestigationWireEvent } from '#investigations';
import { drained, responseClosed, type SseMessage } from '#platform';

/** The stream in revision order after `after` (all of it by default), page by page (one page in memory at a time for NDJSON). */
export function investigationHistory(
  store: EventStore,
  investigationId: string,
  after = 0,
): AsyncGenerator<RecordedEvent> {
  return readPages(store, investigationStreamId(investigationId), after);
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
 * Writes the history as it is read, as one JSON document or as NDJSON, waiting for the
 * client to drain: a history of any length costs one page, whatever the client's speed.
 */
export async function writeHistory(
  res: ServerResponse,
  history: AsyncIterable<RecordedEvent>,
  format: 'json' | 'ndjson',
  investigationId: string,
): Promise<void> {
  const json = format === 'json';
  res.setHeader('Content-Type', json ? 'application/json; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
  if (json) res.write(`{"investigation_id":${JSON.stringify(investigationId)},"events":[`);
  let first = true;
  for await (const event of history) {
    if (responseClosed(res)) return;
    const item = JSON.stringify(toHistoryItem(event));
    const more = res.write(json ? `${first ? '' : ','}${item}` : `${item}\n`);
    first = false;
    if (!more) await drained(res);
  }
  res.end(json ? ']}' : undefined);
}

/**
 * The history re-emitted with its original timing divided by `speed`, mapped like the live
 * stream so the same client renders both. Offsets are from the replay's start, not between
 * events, so slow writes do not accumulate drift; a replay resumed after an event starts its clock at the next one. Read a page at a time and paced to the
 * client: a replay of any length holds one page.
 */
export function replayInvestigation(
  history: () => AsyncIterable<RecordedEvent>,
  speed: number,
  pacing?: Pacing,
): Observable<SseMessage> {
  return new Observable<SseMessage>((subscriber) => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => (timer = setTimeout(resolve, ms)));
    const run = async (): Promise<void> => {
      const clock = replayClock(speed);
      // The clock starts when the first event is handed on: neither the time its read took nor
      // the time a slow reader (or a busy process) took to take it is taken off the next gap.
      let origin: number | null = null;
      for await (const event of history()) {
        const offset = clock(event.metadata.occurredAt);
        const wait = origin === null ? 0 : origin + offset - Date.now();
        if (wait > 0) await sleep(wait);
        const ready = pacing?.ready();
        if (ready) await ready;
        if (stopped) return;
        const data = toInvestigationWireEvent(investigationEventCatalog.decode(event));
        origin ??= Date.now() - offset;
        if (data !== null) subscriber.next({ id: event.revision, data });
      }
      subscriber.complete();
    };
    run().catch((error: unknown) => subscriber.error(error));
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  });
}
