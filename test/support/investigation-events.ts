import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent } from '#eventsourcing';

/** Metadata of an event a test appends to the store itself, as `userId`'s command would have. */
const metadataOf = (userId: string) => ({
  eventId: randomUUID(),
  commandId: 'test',
  correlationId: 'test',
  userId,
  occurredAt: new Date().toISOString(),
});

/** An investigation's first event, for tests that write its stream themselves. */
export const investigationStarted = (investigationId: string, userId: string): NewEvent => ({
  type: 'InvestigationStarted',
  data: {
    investigationId,
    query: 'contratos de saúde',
    dataSource: 'synthetic',
    filters: {},
    anomalyTypes: [],
    startedAt: new Date().toISOString(),
  },
  metadata: metadataOf(userId),
});

/** Page `n` of an investigation that goes on: ~100 bytes of data, like the real ones. */
export const progressReported = (n: number, userId: string): NewEvent => ({
  type: 'ProgressReported',
  data: {
    page: n,
    progress: 60,
    currentPhase: 'analyzing_contracts',
    recordsProcessed: n * 100,
    anomaliesDetected: 0,
    totalEstimate: null,
    lastPage: false,
    at: new Date().toISOString(),
  },
  metadata: metadataOf(userId),
});

/**
 * Appends progress events after revision `from` up to at least `to`, `batch` per append,
 * calling `afterBatch` after each: the revision the stream reached.
 */
export async function appendProgress(
  store: Pick<EventStore, 'appendToStream'>,
  streamId: string,
  userId: string,
  range: { readonly from: number; readonly to: number; readonly batch: number },
  afterBatch: () => void = () => undefined,
): Promise<number> {
  let appended = range.from;
  while (appended < range.to) {
    const events = Array.from({ length: range.batch }, (_, i) => progressReported(appended + i + 1, userId));
    await store.appendToStream(streamId, events, 'any');
    appended += range.batch;
    afterBatch();
  }
  return appended;
}
