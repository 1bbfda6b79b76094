import { map, type OperatorFunction } from 'rxjs';
import type { DomainEvent } from '../decider/decider.js';
import type { Stored } from '../decider/stored-event.js';
import type { EventStore, ReadStreamOptions, RecordedEvent } from '../event-store/event-store.port.js';
import { readPages } from '../event-store/read-pages.js';
import type { EventCatalog } from './event-catalog.js';

/** A stream's events, checked by its catalog. */
export async function readTypedStream<E extends DomainEvent>(
  store: EventStore,
  catalog: EventCatalog<E>,
  streamId: string,
  options?: ReadStreamOptions,
): Promise<Stored<E>[]> {
  const recorded = await store.readStream(streamId, options);
  return recorded.map((event) => catalog.decode(event));
}

/** A stream after `after`, checked by its catalog, read a page at a time (see readPages). */
export async function* readTypedPages<E extends DomainEvent>(
  store: EventStore,
  catalog: EventCatalog<E>,
  streamId: string,
  after = 0,
): AsyncGenerator<Stored<E>> {
  for await (const event of readPages(store, streamId, after)) yield catalog.decode(event);
}

/** Checks each event of an observable stream (catch-up then live) by the stream's catalog. */
export function decodeWith<E extends DomainEvent>(
  catalog: EventCatalog<E>,
): OperatorFunction<RecordedEvent, Stored<E>> {
  return map((event) => catalog.decode(event));
}
