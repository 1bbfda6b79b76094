import type { Observable } from 'rxjs';

/** Metadata every stored event carries (causation, correlation, actor, time; docs/architecture.md). */
export interface EventMetadata {
  readonly eventId: string;
  readonly commandId: string;
  readonly correlationId: string;
  readonly userId: string;
  readonly occurredAt: string;
  readonly [extra: string]: unknown;
}

/** An event as a decider returns it, before the store gives it a place. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

/**
 * An event read back from the store.
 * `revision` is 1-based and contiguous within its stream: it is the SSE id, so it must
 * survive restarts. `position` is the store-wide order, strictly increasing in commit order.
 */
export interface RecordedEvent<Type extends string = string, Data = unknown> {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

/**
 * `'no_stream'`: the stream must not exist yet. `'any'`: no check.
 * A number: the stream's current last revision must equal it (0 means no stream).
 */
export type ExpectedRevision = number | 'no_stream' | 'any';

export interface AppendResult {
  /** Revision of the last event appended (the stream's new last revision). */
  readonly nextRevision: number;
  /** Global position of the last event appended. */
  readonly lastPosition: number;
}

export interface ReadStreamOptions {
  /** Read events whose revision is strictly greater than this (default 0: from the start). */
  readonly after?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events whose global position is strictly greater than this (default 0). */
  readonly after?: number;
  readonly maxCount?: number;
}

export interface EventStore {
  /** Adapter name, for logs and health output: 'sqlite' | 'postgres' | 'kurrentdb'. */
  readonly kind: string;
  /** Appends atomically; all events or none. Throws WrongExpectedRevisionError on conflict. */
  appendToStream(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream in revision order. Empty array for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The stream's newest event (its head), or null for a stream that does not exist. */
  readLastEvent(streamId: string): Promise<RecordedEvent | null>;
  /** Events of every stream in global position order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Last global position in the store (0 when empty). */
  headPosition(): Promise<number>;
  /**
   * The live feed: every event committed after the subscription was made, in global
   * position order, each exactly once per subscriber. Hot; cold subscribers share one
   * underlying subscription. Completes when the store is closed.
   */
  subscribe(): Observable<RecordedEvent>;
  /** Reachability check for readiness probes: resolves when the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
