import type { DomainEvent } from '../decider/decider.js';
import type { Stored } from '../decider/stored-event.js';
import type { RecordedEvent } from '../event-store/event-store.port.js';

/** The id after `<category>-` in a stream id. */
export const entityIdOf = (streamId: string): string => streamId.slice(streamId.indexOf('-') + 1);

/**
 * A slice's reader of stored events: those of its category's streams whose type it
 * declares, as its typed events; null for any other.
 */
export function categoryReader<E extends DomainEvent>(
  category: string,
  known: Readonly<Record<E['type'], true>>,
): (event: RecordedEvent) => Stored<E> | null {
  const prefix = `${category}-`;
  const isKnown = (event: RecordedEvent): event is RecordedEvent & Stored<E> =>
    event.streamId.startsWith(prefix) && Object.hasOwn(known, event.type);
  return (event) => (isKnown(event) ? event : null);
}
