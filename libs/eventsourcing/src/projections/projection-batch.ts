import type { RecordedEvent } from '../event-store/event-store.port.js';
import type { Projection, ProjectionContext } from './projection.js';
import type { DocumentIndex, DocumentWrite, ReadModelStore } from './read-model.port.js';

const key = (collection: string, id: string): string => `${collection}\u0000${id}`;

/**
 * The writes of one batch of events, kept in memory until the batch commits with its
 * checkpoint: a handler reads its own earlier writes of the batch, and nothing reaches
 * the store unless all of it does.
 */
export class ProjectionBatch implements ProjectionContext {
  private readonly pending = new Map<string, DocumentWrite>();
  private position = 0;

  constructor(private readonly readModels: ReadModelStore) {}

  get writes(): DocumentWrite[] {
    return [...this.pending.values()];
  }

  async apply<E>(projection: Projection<E>, event: RecordedEvent): Promise<void> {
    const typed = projection.read(event);
    if (typed === null) return;
    this.position = event.position;
    await projection.handle(typed, this);
  }

  async get<Doc>(collection: string, id: string): Promise<Doc | null> {
    const written = this.pending.get(key(collection, id));
    if (written) return written.doc as Doc;
    const stored = await this.readModels.get<Doc>(collection, id);
    return stored?.doc ?? null;
  }

  put<Doc>(collection: string, id: string, doc: Doc, index: DocumentIndex): void {
    this.pending.set(key(collection, id), { collection, id, doc, index, position: this.position });
  }
}
