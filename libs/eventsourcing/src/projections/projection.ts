import type { RecordedEvent } from '../event-store/event-store.port.js';
import type { DocumentIndex } from './read-model.port.js';

/** What a projection handler may do: read a document (its own pending writes included) and write one. */
export interface ProjectionContext {
  get<Doc>(collection: string, id: string): Promise<Doc | null>;
  put<Doc>(collection: string, id: string, doc: Doc, index: DocumentIndex): void;
}

/**
 * A persistent read model: typed events in, document writes out. `version` is part of its
 * checkpoint: bumping it (a changed document shape) makes the next run rebuild from 0.
 */
export interface Projection<E = unknown> {
  readonly name: string;
  readonly version: number;
  /** Collections it writes: what a rebuild drops. */
  readonly collections: readonly string[];
  /** The slice's reading of a stored event: its typed event, or null for events it ignores. */
  read(event: RecordedEvent): E | null;
  handle(event: E, context: ProjectionContext): Promise<void>;
}
