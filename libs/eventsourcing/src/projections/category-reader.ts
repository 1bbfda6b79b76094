import type { DomainEvent } from '../decider/decider.js';
import type { Stored } from '../decider/stored-event.js';
import type { RecordedEvent } from '../event-store/event-store.port.js';
import type { EventCatalog } from '../typed-streams/event-catalog.js';

/** The id after `<category>-` in a stream id. */
export const entityIdOf = (streamId: string): string => streamId.slice(streamId.indexOf('-') + 1);

/**
 * A slice's reader of the global feed for its read models: events of its category's
 * streams whose type its catalog declares, checked and upcast by that catalog (an invalid
 * one throws, naming stream, revision and type); null for any other event.
 */
export function categoryReader<E extends DomainEvent>(
  category: string,
  catalog: EventCatalog<E>,
): (event: RecordedEvent) => Stored<E> | null {
  const prefix = `${category}-`;
  const known = new Set(catalog.types);
  return (event) => (event.streamId.startsWith(prefix) && known.has(event.type) ? catalog.decode(event) : null);
}
