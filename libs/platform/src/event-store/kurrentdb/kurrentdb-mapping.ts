import {
  ANY,
  DeadlineExceededError,
  NO_STREAM,
  NotLeaderError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendStreamState,
  type Position,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import {
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  type EventMetadata,
  type ExpectedRevision,
  type RecordedEvent,
} from '#eventsourcing';

/** Our revisions are 1-based, Kurrent's are 0-based: ours = theirs + 1. */
export function toStreamState(streamId: string, expected: ExpectedRevision): AppendStreamState {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream' || expected === 0) return NO_STREAM;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new RangeError(`stream ${streamId}: expected revision must be a non-negative integer, got ${expected}`);
  }
  return BigInt(expected - 1);
}

/**
 * Events this process appended carry the same value as commit and prepare position, so a
 * number is enough to resume reading.
 */
export function toPosition(position: number): Position {
  return { commit: BigInt(position), prepare: BigInt(position) };
}

export function positionOf(resolved: ResolvedEvent | AllStreamResolvedEvent): number {
  const commit = resolved.event?.position?.commit ?? resolved.commitPosition;
  return commit === undefined ? 0 : Number(commit);
}

/** Undefined for what is not one of ours: system events, unresolved links, binary events. */
export function toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event || !event.isJson || isSystem(event.streamId, event.type)) return undefined;
  return {
    streamId: event.streamId,
    revision: Number(event.revision) + 1,
    position: positionOf(resolved),
    type: event.type,
    data: event.data,
    metadata: event.metadata as EventMetadata,
  };
}

function isSystem(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}

const UNAVAILABLE_MESSAGE = /unavailable|failed to connect|connection refused|transport error|discovery/i;

export function toStoreError(error: unknown, streamId?: string, expected?: ExpectedRevision): unknown {
  if (error instanceof WrongExpectedVersionError && streamId !== undefined && expected !== undefined) {
    const actual = typeof error.actualState === 'bigint' ? Number(error.actualState) + 1 : 0;
    return new WrongExpectedRevisionError(streamId, expected, actual);
  }
  const unavailable =
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof NotLeaderError ||
    (error instanceof Error && UNAVAILABLE_MESSAGE.test(error.message));
  if (!unavailable || !(error instanceof Error)) return error;
  return new EventStoreUnavailableError(`kurrentdb event store unavailable: ${error.message}`, { cause: error });
}
