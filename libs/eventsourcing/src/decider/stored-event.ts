import type { DomainEvent } from './decider.js';

/** The metadata fields projections read; the platform's store records carry these and more. */
export interface StoredEventMetadata {
  readonly eventId: string;
  readonly userId: string;
  readonly correlationId: string;
  readonly occurredAt: string;
}

/** A domain event as read back from its stream: `revision` is its SSE id. */
export type Stored<E extends DomainEvent> = E & {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly metadata: StoredEventMetadata;
};
