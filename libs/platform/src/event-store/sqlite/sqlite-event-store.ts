import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Observable } from 'rxjs';
import {
  EventStoreUnavailableError,
  assertExpectedRevision,
  CommittedFeed,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from '#eventsourcing';

export interface SqliteEventStoreOptions {
  /** A file path (its directory is created) or ':memory:'. */
  readonly filename: string;
}

interface EventRow {
  readonly position: number;
  readonly stream_id: string;
  readonly revision: number;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    metadata TEXT NOT NULL,
    -- Its index on (stream_id, revision) is also the one reading a stream uses.
    UNIQUE (stream_id, revision)
  );
`;

/** No LIMIT in SQLite is spelled -1. */
const UNLIMITED = -1;

/** An append waiting for its group's commit. */
interface QueuedAppend {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type Recorded = { readonly events: RecordedEvent[]; readonly result: AppendResult };

/**
 * Embedded store for the single-process mode. better-sqlite3 is synchronous, so a commit
 * blocks the process for its fsync (milliseconds). Appends made in one turn of the event
 * loop are therefore committed together (group commit): one transaction, one fsync, each
 * append in a savepoint of its own, so one refused expected revision refuses only itself.
 * An append resolves once its group is durable; the live feed is published right after the
 * commit, in append order: commit order and feed order are the same thing here.
 */
export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly feed = new CommittedFeed();
  private readonly statements;
  private readonly appendTransaction;
  private readonly groupTransaction;
  private queued: QueuedAppend[] = [];

  constructor(options: SqliteEventStoreOptions) {
    if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
    this.db = new Database(options.filename);
    this.db.pragma('journal_mode = WAL');
    // Another connection (a CLI, a backup) may hold the write lock for a moment.
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.statements = {
      lastOfStream: this.db.prepare<[string], { revision: number; position: number }>(
        'SELECT revision, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
      ),
      insert: this.db.prepare<[string, number, string, string, string]>(
        'INSERT INTO events (stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?)',
      ),
      readStream: this.db.prepare<[string, number, number], EventRow>(
        'SELECT * FROM events WHERE stream_id = ? AND revision > ? ORDER BY revision LIMIT ?',
      ),
      readLast: this.db.prepare<[string], EventRow>(
        'SELECT * FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
      ),
      readAll: this.db.prepare<[number, number], EventRow>(
        'SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?',
      ),
      head: this.db.prepare<[], { head: number | null }>('SELECT max(position) AS head FROM events'),
      ping: this.db.prepare('SELECT 1'),
    };
    this.appendTransaction = this.db.transaction(
      (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision) =>
        this.insertChecked(streamId, events, expected),
    );
    this.groupTransaction = this.db.transaction((group: readonly QueuedAppend[]) =>
      group.map((append): Recorded | { readonly error: unknown } => {
        try {
          return this.appendTransaction(append.streamId, append.events, append.expected);
        } catch (error) {
          return { error };
        }
      }),
    );
    this.feed.skipTo(this.readHead());
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    this.assertOpen();
    return new Promise((resolve, reject) => {
      this.queued.push({ streamId, events, expected, resolve, reject });
      if (this.queued.length === 1) setImmediate(() => this.commitQueued());
    });
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const rows = this.statements.readStream.all(streamId, options.after ?? 0, options.maxCount ?? UNLIMITED);
    return rows.map(toRecorded);
  }

  async readLastEvent(streamId: string): Promise<RecordedEvent | null> {
    this.assertOpen();
    const row = this.statements.readLast.get(streamId);
    return row ? toRecorded(row) : null;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.statements.readAll.all(options.after ?? 0, options.maxCount ?? UNLIMITED).map(toRecorded);
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.readHead();
  }

  subscribe(): Observable<RecordedEvent> {
    return this.feed.observe();
  }

  async ping(): Promise<void> {
    this.assertOpen();
    this.statements.ping.get();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.commitQueued();
    this.feed.complete();
    this.db.close();
  }

  private commitQueued(): void {
    const group = this.queued;
    this.queued = [];
    if (group.length === 0) return;
    let outcomes: Array<Recorded | { readonly error: unknown }>;
    try {
      this.assertOpen();
      // IMMEDIATE takes the write lock before reading the current revisions.
      outcomes = this.groupTransaction.immediate(group);
    } catch (error) {
      for (const append of group) append.reject(error);
      return;
    }
    group.forEach((append, i) => {
      const outcome = outcomes[i] as Recorded | { readonly error: unknown };
      if ('error' in outcome) return append.reject(outcome.error);
      this.feed.publish(outcome.events);
      append.resolve(outcome.result);
    });
  }

  private insertChecked(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision) {
    const last = this.statements.lastOfStream.get(streamId);
    const current = last?.revision ?? 0;
    assertExpectedRevision(streamId, expected, current);
    // Feed subscribers get what a reader would get back, not the caller's own objects.
    const recorded = events.map((event, index) => {
      const row = {
        stream_id: streamId,
        revision: current + index + 1,
        type: event.type,
        data: JSON.stringify(event.data ?? null),
        metadata: JSON.stringify(event.metadata),
      };
      const info = this.statements.insert.run(row.stream_id, row.revision, row.type, row.data, row.metadata);
      return toRecorded({ ...row, position: Number(info.lastInsertRowid) });
    });
    const lastPosition = recorded.at(-1)?.position ?? last?.position ?? 0;
    return { events: recorded, result: { nextRevision: current + events.length, lastPosition } };
  }

  private readHead(): number {
    return this.statements.head.get()?.head ?? 0;
  }

  private assertOpen(): void {
    if (!this.db.open) throw new EventStoreUnavailableError('sqlite event store is closed');
  }
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    revision: row.revision,
    position: row.position,
    type: row.type,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as EventMetadata,
  };
}
