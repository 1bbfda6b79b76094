import { checkpointReached, type EventStore, type ReadModelStore } from '#eventsourcing';

export interface ProjectedDocumentRequest<Doc> {
  readonly projection: string;
  readonly collection: string;
  readonly id: string;
  readonly streamId: string;
  /** The revision of the stream's last event the document has taken into account. */
  readonly revisionOf: (doc: Doc) => number;
  /** How long to wait for a projector behind the stream (read-your-writes). */
  readonly waitMs: number;
}

/**
 * A document of a persistent read model, only when it has caught up with its stream: a
 * read right after a write waits for the projector (within `waitMs`), and null sends the
 * caller back to folding the stream itself (nothing projected yet, or a projector away).
 */
export async function projectedDocument<Doc>(
  readModels: ReadModelStore,
  store: EventStore,
  request: ProjectedDocumentRequest<Doc>,
): Promise<Doc | null> {
  const { collection, id } = request;
  const [stored, last] = await Promise.all([
    readModels.get<Doc>(collection, id),
    store.readLastEvent(request.streamId),
  ]);
  if (!last) return null;
  if (stored && request.revisionOf(stored.doc) >= last.revision) return stored.doc;
  const reached = await checkpointReached(readModels, request.projection, last.position, { timeoutMs: request.waitMs });
  if (!reached) return null;
  const caughtUp = await readModels.get<Doc>(collection, id);
  return caughtUp && request.revisionOf(caughtUp.doc) >= last.revision ? caughtUp.doc : null;
}
