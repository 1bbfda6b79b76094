import type { RecordedEvent } from '../event-store/event-store.port.js';
import type { Projection } from '../projections/projection.js';
import { ProjectionBatch } from '../projections/projection-batch.js';
import type {
  CheckpointMove,
  DocumentQuery,
  ProjectionCheckpoint,
  ReadModelStore,
  StoredDocument,
} from '../projections/read-model.port.js';

/** Newest first by (sortAt, id): the order every adapter lists in. */
export function compareListed(a: StoredDocument, b: StoredDocument): number {
  return byCodeUnits(b.index.sortAt ?? '', a.index.sortAt ?? '') || byCodeUnits(b.id, a.id);
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function matches(document: StoredDocument, query: DocumentQuery): boolean {
  const { index } = document;
  const sortAt = index.sortAt ?? '';
  if (document.collection !== query.collection) return false;
  if (query.owner !== undefined && index.owner !== query.owner) return false;
  if (query.status !== undefined && index.status !== query.status) return false;
  if (query.since !== undefined && sortAt < query.since) return false;
  if (query.until !== undefined && sortAt >= query.until) return false;
  if (query.text !== undefined && !(index.search ?? '').includes(query.text)) return false;
  const after = query.after;
  if (!after) return true;
  const past = query.order === 'oldest' ? 1 : -1;
  return (
    byCodeUnits(sortAt, after.sortAt) === past ||
    (sortAt === after.sortAt && byCodeUnits(document.id, after.id) === past)
  );
}

/** The read-model port in memory, for unit tests of projectors; passes the same contract suite as the adapters. */
export class InMemoryReadModelStore implements ReadModelStore {
  readonly kind = 'memory';
  private readonly checkpoints = new Map<string, ProjectionCheckpoint>();
  private readonly documents = new Map<string, StoredDocument>();

  async checkpoint(projection: string): Promise<ProjectionCheckpoint | null> {
    return this.checkpoints.get(projection) ?? null;
  }

  async commit(move: CheckpointMove): Promise<boolean> {
    if ((this.checkpoints.get(move.projection)?.position ?? 0) !== move.from) return false;
    for (const write of move.writes) this.documents.set(`${write.collection}\u0000${write.id}`, structuredClone(write));
    this.checkpoints.set(move.projection, { projection: move.projection, version: move.version, position: move.to });
    return true;
  }

  async reset(projection: string, collections: readonly string[]): Promise<void> {
    this.checkpoints.delete(projection);
    for (const [key, document] of this.documents)
      if (collections.includes(document.collection)) this.documents.delete(key);
  }

  async get<Doc>(collection: string, id: string): Promise<StoredDocument<Doc> | null> {
    const found = this.documents.get(`${collection}\u0000${id}`);
    return found ? (structuredClone(found) as StoredDocument<Doc>) : null;
  }

  async list<Doc>(query: DocumentQuery): Promise<StoredDocument<Doc>[]> {
    const found = [...this.documents.values()].filter((d) => matches(d, query)).sort(compareListed);
    if (query.order === 'oldest') found.reverse();
    return found.slice(0, query.limit).map((d) => structuredClone(d) as StoredDocument<Doc>);
  }

  async changes<Doc>(collection: string, afterPosition: number, limit: number): Promise<StoredDocument<Doc>[]> {
    const found = [...this.documents.values()].filter((d) => d.collection === collection && d.position > afterPosition);
    found.sort((a, b) => a.position - b.position || byCodeUnits(a.id, b.id));
    return found.slice(0, limit).map((d) => structuredClone(d) as StoredDocument<Doc>);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}

/** Applies `events` to a fresh in-memory read model as one committed batch: a projection's given/then. */
export async function projectInMemory<E>(
  projection: Projection<E>,
  events: readonly RecordedEvent[],
): Promise<InMemoryReadModelStore> {
  const readModels = new InMemoryReadModelStore();
  const batch = new ProjectionBatch(readModels);
  for (const event of events) await batch.apply(projection, event);
  const to = events.at(-1)?.position ?? 0;
  await readModels.commit({
    projection: projection.name,
    version: projection.version,
    from: 0,
    to,
    writes: batch.writes,
  });
  return readModels;
}
