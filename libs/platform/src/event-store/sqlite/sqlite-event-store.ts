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
import { WalSync } from '../../sqlite/wal-sync.js';
import { freezeEvent, RecentEvents } from './recent-events.js';

export interface SqliteEventStoreOptions {
  /** A file path (its directory is created) or ':memory:'. */
  readonly filename: string;
  /** How many of the newest events are kept in memory for readers (default 4,096). */
  readonly recentEvents?: number;
  /** How many characters of stored JSON the events kept hold at most (default 8 Mi). */
  readonly recentCharacters?: number;
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

/** `sizes`: the stored JSON length of each event, at the same index. */
type Recorded = { readonly events: RecordedEvent[]; readonly sizes: number[]; readonly result: AppendResult };
type Outcome = Recorded | { readonly error: unknown };

/** No position is hidden. */
const ALL_VISIBLE = Number.MAX_SAFE_INTEGER;
/**
 * Events one group commit takes at most (appends are never split): a hundred chat answers
 * queued at once are committed and published in a few turns of the event loop, not one long one.
 */
const GROUP_EVENTS = 512;

/** Enough for every follower woken by a burst of commits to find what it has not read yet. */
const RECENT_EVENTS = 4_096;
/** A few large events (an investigation's report) do not hold much memory either. */
const RECENT_CHARACTERS = 8 * 1024 * 1024;

/** Never a `data_version`: the kept events are dropped at the next read. */
const STALE = -1;

/**
 * Embedded store for the single-process mode. better-sqlite3 is synchronous, so appends made
 * in one turn of the event loop are committed together (group commit): one transaction, each
 * append in a savepoint of its own, so one refused expected revision refuses only itself.
 * The commit only writes the WAL; its fsync runs on libuv's thread pool (WalSync) instead of
 * blocking every request and command of the process for the disk's milliseconds. Until that
 * fsync is done the group is invisible: reads stop below it, its appends are not answered
 * (refusals neither, so a retry reads what refused it) and the live feed has not seen it.
 * Then, in commit order, the feed is published and the appends resolve: an event is seen,
 * by anyone, only once it is durable.
 *
 * Every follower of the store (projectors, workflow hosts, bridges) wakes on the feed and
 * reads the global order after its checkpoint, and a stream joined at its head is read
 * from its last revision: those reads are answered from the newest published events kept
 * in memory (RecentEvents) when they cover them, the very objects the feed published,
 * frozen since every reader shares them. A commit by another connection on the same file
 * (a CLI) changes SQLite's `data_version`; the kept events are then dropped and the next
 * reads go to the database.
 */
export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly feed = new CommittedFeed();
  private readonly statements;
  private readonly appendTransaction;
  private readonly groupTransaction;
  private queued: QueuedAppend[] = [];
  private readonly wal: WalSync;
  /** The first position of each committed group whose fsync is under way, oldest first. */
  private readonly syncing: number[] = [];
  private readonly recent: RecentEvents;
  /** `data_version` when the kept events were last known to be every event above their floor. */
  private seenVersion = 0;

  constructor(options: SqliteEventStoreOptions) {
    if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
    this.db = new Database(options.filename);
    this.db.pragma('journal_mode = WAL');
    // Another connection (a CLI, a backup) may hold the write lock for a moment.
    this.db.pragma('busy_timeout = 5000');
    // Commits write the WAL only; WalSync makes them durable off the event loop.
    this.db.pragma('synchronous = NORMAL');
    this.wal = new WalSync(options.filename);
    this.db.exec(SCHEMA);
    this.statements = {
      lastOfStream: this.db.prepare<[string], { revision: number; position: number }>(
        'SELECT revision, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
      ),
      insert: this.db.prepare<[string, number, string, string, string]>(
        'INSERT INTO events (stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?)',
      ),
      readStream: this.db.prepare<[string, number, number, number], EventRow>(
        'SELECT * FROM events WHERE stream_id = ? AND revision > ? AND position < ? ORDER BY revision LIMIT ?',
      ),
      readLast: this.db.prepare<[string, number], EventRow>(
        'SELECT * FROM events WHERE stream_id = ? AND position < ? ORDER BY revision DESC LIMIT 1',
      ),
      readAll: this.db.prepare<[number, number, number], EventRow>(
        'SELECT * FROM events WHERE position > ? AND position < ? ORDER BY position LIMIT ?',
      ),
      head: this.db.prepare<[], { head: number | null }>('SELECT max(position) AS head FROM events'),
      ping: this.db.prepare('SELECT 1'),
      dataVersion: this.db.prepare<[], number>('PRAGMA data_version').pluck(),
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
    this.recent = new RecentEvents({
      events: options.recentEvents ?? RECENT_EVENTS,
      characters: options.recentCharacters ?? RECENT_CHARACTERS,
    });
    this.forgetRecent();
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
    const after = options.after ?? 0;
    return (
      this.kept((recent) => recent.ofStream(streamId, after, options.maxCount)) ??
      this.statements.readStream
        .all(streamId, after, this.visibleBelow(), options.maxCount ?? UNLIMITED)
        .map(toRecorded)
    );
  }

  async readLastEvent(streamId: string): Promise<RecordedEvent | null> {
    this.assertOpen();
    const row = this.statements.readLast.get(streamId, this.visibleBelow());
    return row ? toRecorded(row) : null;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const after = options.after ?? 0;
    return (
      this.kept((recent) => recent.after(after, options.maxCount)) ??
      this.statements.readAll.all(after, this.visibleBelow(), options.maxCount ?? UNLIMITED).map(toRecorded)
    );
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return Math.min(this.readHead(), this.visibleBelow() - 1);
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
    this.wal.close();
    this.db.close();
  }

  private commitQueued(): void {
    const group = this.takeGroup();
    if (group.length === 0) return;
    // What is left waits one turn of the event loop: sockets are read and written in between.
    if (this.queued.length > 0) setImmediate(() => this.commitQueued());
    let outcomes: Outcome[];
    try {
      this.assertOpen();
      // IMMEDIATE takes the write lock before reading the current revisions.
      outcomes = this.groupTransaction.immediate(group);
    } catch (error) {
      for (const append of group) append.reject(error);
      return;
    }
    const first = firstPosition(outcomes);
    if (first !== null) this.syncing.push(first);
    this.wal.sync().then(
      () => this.answer(group, outcomes, first),
      (error: unknown) =>
        this.answer(group, outcomes, first, new EventStoreUnavailableError(`fsync failed: ${String(error)}`)),
    );
  }

  /**
   * The appends of the next group, in order: all of them, or as many as make up
   * {@link GROUP_EVENTS} events (at least one append), so that committing and publishing a
   * burst never holds the event loop for longer than a group of that size takes.
   */
  private takeGroup(): QueuedAppend[] {
    let events = 0;
    let count = 0;
    while (count < this.queued.length && (count === 0 || events < GROUP_EVENTS))
      events += (this.queued[count++] as QueuedAppend).events.length;
    return this.queued.splice(0, count);
  }

  /** Once the group is durable: visible to reads, published in append order, answered. */
  private answer(
    group: readonly QueuedAppend[],
    outcomes: readonly Outcome[],
    first: number | null,
    failure?: unknown,
  ): void {
    if (first !== null) this.syncing.shift();
    // Readable from now on, yet never published: the next read drops the kept events.
    if (failure !== undefined && first !== null) this.seenVersion = STALE;
    // The whole group is kept before a subscriber hears of it and reads.
    if (failure === undefined)
      for (const outcome of outcomes) if ('events' in outcome) this.recent.add(outcome.events, outcome.sizes);
    group.forEach((append, i) => {
      const outcome = outcomes[i] as Outcome;
      if (failure !== undefined) return append.reject(failure);
      if ('error' in outcome) return append.reject(outcome.error);
      this.feed.publish(outcome.events);
      append.resolve(outcome.result);
    });
  }

  /**
   * A read answered by the kept events, or null for the database to answer it. When they
   * could answer it, they are dropped first if another connection has committed since they
   * were last checked.
   */
  private kept(read: (recent: RecentEvents) => RecordedEvent[] | null): RecordedEvent[] | null {
    const found = read(this.recent);
    if (found === null || this.statements.dataVersion.get() === this.seenVersion) return found;
    this.forgetRecent();
    return read(this.recent);
  }

  /**
   * Drops the kept events: only what is committed from now on, by this connection, is kept.
   * `data_version` is read first, so a commit by another connection after it is noticed
   * by the next read even if the head read here already includes it.
   */
  private forgetRecent(): void {
    this.seenVersion = this.statements.dataVersion.get() as number;
    this.recent.reset(this.readHead());
  }

  /** Reads stop below the oldest group not yet durable. */
  private visibleBelow(): number {
    return this.syncing[0] ?? ALL_VISIBLE;
  }

  private insertChecked(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision) {
    const last = this.statements.lastOfStream.get(streamId);
    const current = last?.revision ?? 0;
    assertExpectedRevision(streamId, expected, current);
    // Feed subscribers get what a reader would get back, not the caller's own objects.
    const sizes: number[] = [];
    const recorded = events.map((event, index) => {
      const row = {
        stream_id: streamId,
        revision: current + index + 1,
        type: event.type,
        data: JSON.stringify(event.data ?? null),
        metadata: JSON.stringify(event.metadata),
      };
      const info = this.statements.insert.run(row.stream_id, row.revision, row.type, row.data, row.metadata);
      sizes.push(row.data.length + row.metadata.length);
      return freezeEvent(toRecorded({ ...row, position: Number(info.lastInsertRowid) }));
    });
    const lastPosition = recorded.at(-1)?.position ?? last?.position ?? 0;
    return { events: recorded, sizes, result: { nextRevision: current + events.length, lastPosition } };
  }

  private readHead(): number {
    return this.statements.head.get()?.head ?? 0;
  }

  private assertOpen(): void {
    if (!this.db.open) throw new EventStoreUnavailableError('sqlite event store is closed');
  }
}

function firstPosition(outcomes: readonly Outcome[]): number | null {
  for (const outcome of outcomes) if ('events' in outcome && outcome.events[0]) return outcome.events[0].position;
  return null;
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
