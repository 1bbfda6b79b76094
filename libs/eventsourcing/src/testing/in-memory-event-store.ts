import type { Observable } from 'rxjs';
import { CommittedFeed } from '../event-store/committed-feed.js';
import { EventStoreUnavailableError } from '../event-store/event-store.errors.js';
import type {
  AppendResult,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
} from '../event-store/event-store.port.js';
import { assertExpectedRevision } from '../event-store/expected-revision.js';

/** An event as kept here: serialised, as a real store keeps it, so readers never share objects. */
interface Row {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

/**
 * An event store in this process's memory, for tests of actors and workflows: it honours
 * the same contract suite as the real adapters. An append checks, serialises and commits
 * with no await in between, so concurrent appends race exactly as they do against a
 * database, and the live feed is published right after the commit (as the SQLite adapter does).
 */
export class InMemoryEventStore implements EventStore {
  readonly kind = 'memory';
  private readonly rows: Row[] = [];
  private readonly streams = new Map<string, Row[]>();
  private readonly feed = new CommittedFeed();
  private closed = false;

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    this.assertOpen();
    const stream = this.streams.get(streamId) ?? [];
    const current = stream.length;
    const previousPosition = stream.at(-1)?.position ?? 0;
    assertExpectedRevision(streamId, expected, current);
    // Serialise everything before committing anything: an event that cannot be stored fails the whole append.
    const serialised = events.map((event) => ({
      type: event.type,
      data: JSON.stringify(event.data ?? null),
      metadata: JSON.stringify(event.metadata),
    }));
    const appended = serialised.map((event, index): Row => ({
      streamId,
      revision: current + index + 1,
      position: this.rows.length + index + 1,
      ...event,
    }));
    this.rows.push(...appended);
    stream.push(...appended);
    this.streams.set(streamId, stream);
    const lastPosition = appended.at(-1)?.position ?? previousPosition;
    this.feed.noteCommitted(lastPosition);
    this.feed.publish(appended.map(toRecorded));
    return { nextRevision: current + events.length, lastPosition };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const stream = this.streams.get(streamId) ?? [];
    return page(stream, (row) => row.revision, options).map(toRecorded);
  }

  async readLastEvent(streamId: string): Promise<RecordedEvent | null> {
    this.assertOpen();
    const last = this.streams.get(streamId)?.at(-1);
    return last ? toRecorded(last) : null;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return page(this.rows, (row) => row.position, options).map(toRecorded);
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.rows.length;
  }

  subscribe(): Observable<RecordedEvent> {
    return this.feed.observe();
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.feed.complete();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('in-memory event store is closed');
  }
}

/** Rows whose key is above `after`, at most `maxCount` of them: rows are sorted by key. */
function page(
  rows: readonly Row[],
  keyOf: (row: Row) => number,
  options: { after?: number; maxCount?: number },
): Row[] {
  const after = options.after ?? 0;
  const start = rows.findIndex((row) => keyOf(row) > after);
  if (start < 0) return [];
  return rows.slice(start, options.maxCount === undefined ? undefined : start + options.maxCount);
}

function toRecorded(row: Row): RecordedEvent {
  return {
    streamId: row.streamId,
    revision: row.revision,
    position: row.position,
    type: row.type,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as EventMetadata,
  };
}
