import type { DomainEvent } from '../decider/decider.js';
import type { Stored } from '../decider/stored-event.js';
import type { EventMetadata, NewEvent, RecordedEvent } from '../event-store/event-store.port.js';
import type { EventDecoder, EventDefinition } from './event-definition.js';
import { InvalidEventDataError, UnknownEventTypeError, UnknownEventVersionError } from './event-decoding.errors.js';

/** The metadata field holding an event's schema version; an event stored without it is version 1. */
export const SCHEMA_VERSION = 'schemaVersion';

/** Every event type of a slice, each with its definition. */
export type EventDefinitions<E extends DomainEvent> = {
  readonly [Type in E['type']]: EventDefinition<Extract<E, { type: Type }>>;
};

/**
 * The one checked place where stored events become a slice's domain events, and domain
 * events become stored ones. Reading validates each event against its type's schema,
 * upcasting older versions first, and throws an EventDecodingError naming the stream,
 * revision and type of an event it cannot read. Writing records the current version.
 */
export class EventCatalog<E extends DomainEvent> {
  private readonly definitions: ReadonlyMap<string, EventDecoder<E>>;
  /**
   * The live feed hands one recorded event to every subscriber of its stream (hubs, their
   * subscribers' says, projectors, workflows), however many others a burst brings in
   * between: each recorded event's domain event is kept for as long as the recorded event
   * lives, so a live event is checked once in the process. Catch-up reads give each
   * subscriber events of its own, which take theirs with them.
   */
  private readonly decoded = new WeakMap<RecordedEvent, Stored<E>>();

  constructor(
    readonly name: string,
    definitions: EventDefinitions<E>,
  ) {
    const all: ReadonlyArray<EventDecoder<E>> = Object.values<EventDecoder<E>>(definitions);
    this.definitions = new Map(all.map((definition) => [definition.type, definition]));
  }

  /** The event types this catalog knows. */
  get types(): string[] {
    return [...this.definitions.keys()];
  }

  versionOf(type: E['type']): number {
    return this.definitions.get(type)?.version ?? 1;
  }

  /** The stored event as a domain event of this catalog, or an EventDecodingError. */
  decode(recorded: RecordedEvent): Stored<E> {
    const known = this.decoded.get(recorded);
    if (known) return known;
    const stored = this.check(recorded);
    this.decoded.set(recorded, stored);
    return stored;
  }

  /**
   * A domain event to append. Its metadata records its type's version from version 2 on:
   * an event without one is version 1, so version-1 events are stored as they always were.
   */
  encode<T extends E>(event: T, metadata: EventMetadata): NewEvent<T['type'], T['data']> {
    const version = this.versionOf(event.type);
    return {
      type: event.type,
      data: event.data,
      metadata: version > 1 ? { ...metadata, [SCHEMA_VERSION]: version } : metadata,
    };
  }

  private check(recorded: RecordedEvent): Stored<E> {
    const { streamId, revision, type } = recorded;
    const definition = this.definitions.get(type);
    if (!definition) throw new UnknownEventTypeError(this.name, streamId, revision, type);
    const version = recorded.metadata[SCHEMA_VERSION] ?? 1;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > definition.version)
      throw new UnknownEventVersionError(streamId, revision, type, version, definition.version);
    const result = definition.decode(recorded, version);
    if (!result.ok) throw new InvalidEventDataError(streamId, revision, type, result.version, result.issues);
    return result.value;
  }
}
