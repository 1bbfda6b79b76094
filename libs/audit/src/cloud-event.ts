import { categoryOf } from './event-feed-filter.js';

/** What the feed needs of a stored event; structurally the event store's RecordedEvent. */
export interface FeedEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: {
    readonly eventId: string;
    readonly occurredAt: string;
    readonly correlationId: string;
    readonly commandId: string;
    readonly userId: string;
  };
}

/** CloudEvents 1.0 structured JSON, the one contract of the HTTP feed and the JetStream relay. */
export interface CloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: unknown;
  /** Extension attributes: lower-case alphanumerics only, per the spec. */
  readonly position: number;
  readonly revision: number;
  readonly correlationid: string;
  readonly causationid: string;
  readonly userid: string;
}

export const CLOUD_EVENT_TYPE_PREFIX = 'br.gov.cidadao-ai';

export function toCloudEvent(event: FeedEvent): CloudEvent {
  const category = categoryOf(event.streamId);
  return {
    specversion: '1.0',
    id: event.metadata.eventId,
    source: `/cidadao-ai/${category}`,
    type: `${CLOUD_EVENT_TYPE_PREFIX}.${category}.${event.type}`,
    subject: event.streamId,
    time: event.metadata.occurredAt,
    datacontenttype: 'application/json',
    data: event.data,
    position: event.position,
    revision: event.revision,
    correlationid: event.metadata.correlationId,
    causationid: event.metadata.commandId,
    userid: event.metadata.userId,
  };
}

/** NATS subject tokens cannot hold '.', '*', '>' or whitespace. */
const subjectToken = (value: string): string => value.replace(/[.*>\s]/g, '_');

/** `<category>.<type>`, e.g. investigation.InvestigationStarted: the subject under a feed's prefix. */
export function feedSubjectOf(event: Pick<FeedEvent, 'streamId' | 'type'>): string {
  return `${subjectToken(categoryOf(event.streamId))}.${subjectToken(event.type)}`;
}

/** `<prefix>.<category>.<type>`, e.g. events.investigation.InvestigationStarted. */
export function feedSubject(prefix: string, event: Pick<FeedEvent, 'streamId' | 'type'>): string {
  return `${prefix}.${feedSubjectOf(event)}`;
}
