import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import { filter, firstValueFrom, takeWhile, timeout, toArray, type Observable } from 'rxjs';
import type { EventMetadata, EventStore, NewEvent, RecordedEvent } from '../event-store/event-store.port.js';

export interface EventStoreUnderTest {
  readonly store: EventStore;
  /** Closes the store (again, if the test closed it already) and removes what it created. */
  readonly dispose: () => Promise<void>;
}

export type EventStoreFactory = () => Promise<EventStoreUnderTest>;

/** The last event a feed test appends: collecting stops on it, so no test sleeps. */
export const SENTINEL_TYPE = 'ContractSentinelAppended';

/** A bound on waiting for a feed, far above any healthy latency, below jest's own timeout. */
export const FEED_TIMEOUT_MS = 30_000;

export const newStreamId = (prefix = 'contract'): string => `${prefix}-${randomUUID()}`;

export function newEvent(
  type = 'ThingHappened',
  data: unknown = { at: new Date().toISOString() },
  extraMetadata: Record<string, unknown> = {},
): NewEvent {
  const metadata: EventMetadata = {
    eventId: randomUUID(),
    commandId: randomUUID(),
    correlationId: randomUUID(),
    userId: 'contract-user',
    occurredAt: new Date().toISOString(),
    ...extraMetadata,
  };
  return { type, data, metadata };
}

export const newEvents = (count: number, type?: string): NewEvent[] =>
  Array.from({ length: count }, (_, index) => newEvent(type, { index }));

/**
 * Subscribes at once and resolves with what the feed delivers for `streamIds`, up to and
 * including the first sentinel event.
 */
export function collectUntilSentinel(
  feed: Observable<RecordedEvent>,
  streamIds: ReadonlySet<string>,
): Promise<RecordedEvent[]> {
  return firstValueFrom(
    feed.pipe(
      filter((event) => streamIds.has(event.streamId)),
      takeWhile((event) => event.type !== SENTINEL_TYPE, true),
      toArray(),
      timeout({ first: FEED_TIMEOUT_MS }),
    ),
  );
}

/** Appends `batches` appends of `size` events, one after the other, checking revisions. */
export async function writeBatches(store: EventStore, streamId: string, batches: number, size: number): Promise<void> {
  for (let batch = 0; batch < batches; batch += 1) {
    await store.appendToStream(streamId, newEvents(size), batch * size);
  }
}

export function expectStrictlyIncreasing(values: readonly number[]): void {
  values.slice(1).forEach((value, index) => expect(value).toBeGreaterThan(values[index] ?? Number.NEGATIVE_INFINITY));
}

/** An event as the store hands it back, for pure tests of projections; positions count up per call. */
let recordedPosition = 0;
export function recordedEvent(
  streamId: string,
  revision: number,
  type: string,
  data: unknown,
  metadata: Partial<EventMetadata> = {},
): RecordedEvent {
  recordedPosition += 1;
  return {
    streamId,
    revision,
    position: recordedPosition,
    type,
    data,
    metadata: {
      eventId: `event-${recordedPosition}`,
      commandId: 'command',
      correlationId: 'correlation',
      userId: 'ana',
      occurredAt: '2026-03-01T10:00:00.000Z',
      ...metadata,
    },
  };
}
