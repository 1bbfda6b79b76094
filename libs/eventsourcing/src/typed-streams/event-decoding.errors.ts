/** Why a stored event could not become a domain event. */
export type EventDecodingReason = 'unknown_type' | 'unknown_version' | 'invalid_data';

/**
 * A stored event the reading process cannot turn into a domain event. It names the place
 * of the event in the store, so the fault is found where it is, not where a field is missing.
 */
export class EventDecodingError extends Error {
  override readonly name: string = 'EventDecodingError';
  constructor(
    readonly reason: EventDecodingReason,
    readonly streamId: string,
    readonly revision: number,
    readonly eventType: string,
    detail: string,
  ) {
    super(`stream ${streamId} revision ${revision} (${eventType}): ${detail}`);
  }
}

/** The catalog of the stream has no event of this type. */
export class UnknownEventTypeError extends EventDecodingError {
  override readonly name = 'UnknownEventTypeError';
  constructor(catalog: string, streamId: string, revision: number, eventType: string) {
    super('unknown_type', streamId, revision, eventType, `no event of this type in the ${catalog} catalog`);
  }
}

/** The event was written by a newer version of the code than this process knows. */
export class UnknownEventVersionError extends EventDecodingError {
  override readonly name = 'UnknownEventVersionError';
  constructor(streamId: string, revision: number, eventType: string, version: unknown, current: number) {
    super(
      'unknown_version',
      streamId,
      revision,
      eventType,
      `schema version ${JSON.stringify(version)} is not one of 1..${current}`,
    );
  }
}

/** The event's data does not have the shape its type and version declare. */
export class InvalidEventDataError extends EventDecodingError {
  override readonly name = 'InvalidEventDataError';
  constructor(
    streamId: string,
    revision: number,
    eventType: string,
    readonly version: number,
    readonly issues: string,
  ) {
    super('invalid_data', streamId, revision, eventType, `data does not match version ${version}: ${issues}`);
  }
}
