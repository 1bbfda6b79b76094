/**
 * The columns a read-model document is found by. A projection fills them from its document;
 * the store indexes them, so listing and filtering never parse documents.
 */
export interface DocumentIndex {
  readonly owner: string | null;
  readonly status: string | null;
  /** ISO-8601 UTC instant the collection is listed by, newest first; since/until compare to it. */
  readonly sortAt: string | null;
  /** Lower-case text that a free-text filter searches. */
  readonly search: string | null;
}

/** One document of a collection, with the global position of the last event that changed it. */
export interface StoredDocument<Doc = unknown> {
  readonly collection: string;
  readonly id: string;
  readonly doc: Doc;
  readonly index: DocumentIndex;
  readonly position: number;
}

export type DocumentWrite = StoredDocument;

export interface ProjectionCheckpoint {
  readonly projection: string;
  readonly version: number;
  /** Global position of the last event the projection has taken into account. */
  readonly position: number;
}

export interface CheckpointMove {
  readonly projection: string;
  readonly version: number;
  /** The checkpoint the writes were computed from (0 with none stored). */
  readonly from: number;
  readonly to: number;
  readonly writes: readonly DocumentWrite[];
}

/** Keyset position of the last document of a page: (sortAt, id), in the listing's order. */
export interface DocumentCursor {
  readonly sortAt: string;
  readonly id: string;
}

export interface DocumentQuery {
  readonly collection: string;
  readonly owner?: string;
  readonly status?: string;
  /** Inclusive lower bound on sortAt. */
  readonly since?: string;
  /** Exclusive upper bound on sortAt. */
  readonly until?: string;
  /** Lower-case substring of the search column. */
  readonly text?: string;
  readonly limit: number;
  /** 'oldest': by (sortAt, id) ascending, as a queue is read; newest first by default. */
  readonly order?: 'newest' | 'oldest';
  /** Documents strictly after this one in the listing's order. */
  readonly after?: DocumentCursor;
}

/**
 * Where projections keep their documents and checkpoints. A checkpoint moves in the same
 * transaction as the documents it accounts for, so a crash between the two cannot happen
 * and a restarted projector neither skips nor counts an event twice.
 */
export interface ReadModelStore {
  /** 'sqlite' | 'postgres', for logs. */
  readonly kind: string;
  checkpoint(projection: string): Promise<ProjectionCheckpoint | null>;
  /**
   * Writes the documents and moves the checkpoint, atomically, only if the stored checkpoint
   * is still `from`; false (nothing written) when another projector moved it first.
   */
  commit(move: CheckpointMove): Promise<boolean>;
  /** Drops the projection's collections and its checkpoint: the next run replays from position 0. */
  reset(projection: string, collections: readonly string[]): Promise<void>;
  get<Doc>(collection: string, id: string): Promise<StoredDocument<Doc> | null>;
  /** A page in (sortAt desc, id desc) order. */
  list<Doc>(query: DocumentQuery): Promise<StoredDocument<Doc>[]>;
  /** Documents changed after `afterPosition`, in the order of their last change. */
  changes<Doc>(collection: string, afterPosition: number, limit: number): Promise<StoredDocument<Doc>[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
