import { feedSubjectOf, toCloudEvent } from '#audit';
import type { EventStore, RecordedEvent } from '#eventsourcing';
import type { Logger } from '../logging/logger.js';
import { JetStreamRelay } from './jetstream-relay.js';
import type { RelaySource } from './relay-source.js';

export interface EventRelayOptions {
  readonly servers: string;
  readonly store: EventStore;
  readonly logger: Logger;
  /** JetStream stream, `EVENTS` in production; tests use unique names. */
  readonly streamName: string;
  /** Subjects are `<prefix>.<category>.<EventType>`; the stream captures `<prefix>.>`. */
  readonly subjectPrefix: string;
  readonly batchSize?: number;
}

export type EventRelay = JetStreamRelay<RecordedEvent>;

/** Every stored event, as CloudEvents JSON, woken by the store's live subscription. */
export function eventStoreSource(store: EventStore): RelaySource<RecordedEvent> {
  return {
    read: (after, max) => store.readAll({ after, maxCount: max }),
    wake$: store.subscribe(),
    subject: feedSubjectOf,
    message: toCloudEvent,
  };
}

/** The downstream feed on NATS: the EVENTS stream. */
export const EventRelay = {
  start: ({ store, ...options }: EventRelayOptions): Promise<EventRelay> =>
    JetStreamRelay.start({ ...options, source: eventStoreSource(store) }),
};
