import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Observable } from 'rxjs';
import {
  EventStoreUnavailableError,
  CommittedFeed,
  expectedLastRevision,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '#eventsourcing';
import { configureConnection, type AppendOutcome, type AppendRows } from './group-commit.js';
import { InThreadWriter, ThreadWriter, type GroupWriter, type GroupWritten } from './sqlite-writer.js';
import { freezeEvent, RecentEvents } from './recent-events.js';

export interface SqliteEventStoreOptions {
  /** A file path (its directory is created) or ':memory:'. */
  readonly filename: string;
  /** How many of the newest events are kept in memory for readers (default 4,096). */
  readonly recentEvents?: number;
  /** How many characters of stored JSON the events kept hold at most (default 8 Mi). */
  readonly recentCharacters?: number;
  /**
   * Where a file's appends are committed and fsynced: 'thread' (default), a worker thread
   * with a connection of its own; 'in-thread', this connection, in the event loop's turn.
   * A database in memory is always written in-thread.
   */
  readonly writer?: 'thread' | 'in-thread';
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
  readonly expected: ExpectedRevision;
  readonly append: AppendRows;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** No position is hidden. */
const ALL_VISIBLE = Number.MAX_SAFE_INTEGER;
/**
 * Events one group commit takes at most (appends are never split): a hundred chat answers
 * queued at once are committed and published in a few turns of the event loop, not one long one.
 */
const GROUP_EVENTS = 512;

/** Groups with the writer at once: one committed while the one before is published. */
const GROUPS_WRITING = 2;

/** Enough for every follower woken by a burst of commits to find what it has not read yet. */
const RECENT_EVENTS = 4_096;
/** A few large events (an investigation's report) do not hold much memory either. */
const RECENT_CHARACTERS = 8 * 1024 * 1024;

/**
 * Embedded store for the single-process mode. Appends made in one turn of the event loop
 * are committed together (group commit): one transaction, each append in a savepoint of its
 * own, so one refused expected revision refuses only itself. A file's groups are committed
 * and fsynced by a writer thread on a connection of its own (ThreadWriter), so the inserts,
 * WAL writes and fsyncs of every append run beside the event loop, not in it; this
 * connection reads. Until a group is durable it is invisible: reads stop below it (below
 * the store's head when it was handed to the writer), its appends are not answered
 * (refusals neither, so a retry reads what refused it) and the live feed has not seen it.
 * Then, in commit order, the feed is published and the appends resolve: an event is seen,
 * by anyone, only once it is durable.
 *
 * Every follower of the store (projectors, workflow hosts, bridges) wakes on the feed and
 * reads the global order after its checkpoint, and a stream joined at its head is read
 * from its last revision: those reads are answered from the newest published events kept
 * in memory (RecentEvents) when they cover them, the very objects the feed published,
 * frozen since every reader shares them. Events committed by another connection on the
 * same file (a CLI) leave a gap in the positions published, or a head above the newest
 * event kept; the kept events are then dropped and the next reads go to the database.
 */
export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly feed = new CommittedFeed();
  private readonly statements;
  private readonly writer: GroupWriter;
  private queued: QueuedAppend[] = [];
  /**
   * For each group with the writer, oldest first, the lowest position it can take: the head
   * when it was handed over, plus one, raised past each group answered before it.
   */
  private readonly unanswered: number[] = [];
  /** The newest group's answer: every group before it is answered by then. */
  private lastWritten: Promise<void> = Promise.resolve();
  private readonly recent: RecentEvents;
  /** Rows of a group not known to be durable may be readable: the kept events no longer match the file. */
  private stale = false;
  /** `data_version` when the kept events were last found to end at the visible head: no commit since. */
  private checkedVersion = -1;
  private closing = false;

  constructor(options: SqliteEventStoreOptions) {
    const inMemory = options.filename === ':memory:';
    if (!inMemory) mkdirSync(dirname(options.filename), { recursive: true });
    this.db = new Database(options.filename);
    configureConnection(this.db);
    this.db.exec(SCHEMA);
    this.statements = {
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
      dataVersion: this.db.prepare<[], number>('PRAGMA data_version').pluck(),
      ping: this.db.prepare('SELECT 1'),
    };
    this.writer =
      inMemory || options.writer === 'in-thread'
        ? new InThreadWriter(this.db, options.filename)
        : new ThreadWriter(options.filename);
    this.recent = new RecentEvents({
      events: options.recentEvents ?? RECENT_EVENTS,
      characters: options.recentCharacters ?? RECENT_CHARACTERS,
    });
    this.recent.reset(this.readHead());
    this.feed.skipTo(this.readHead());
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    this.assertOpen();
    const wanted = expectedLastRevision(streamId, expected);
    const rows = events.map((event) => ({
      type: event.type,
      data: JSON.stringify(event.data ?? null),
      metadata: JSON.stringify(event.metadata),
    }));
    return new Promise((resolve, reject) => {
      this.queued.push({ expected, append: { streamId, wanted, rows }, resolve, reject });
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
    const kept = this.kept((recent) => recent.lastOf(streamId));
    if (kept) return kept[0] ?? null;
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
    return this.visibleHead();
  }

  subscribe(): Observable<RecordedEvent> {
    return this.feed.observe();
  }

  async ping(): Promise<void> {
    this.assertOpen();
    this.statements.ping.get();
  }

  /** Commits and answers what is queued, then closes the writer and the connection. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (this.commitQueued(); this.unanswered.length > 0; this.commitQueued()) await this.lastWritten;
    await this.writer.close();
    this.feed.complete();
    this.db.close();
  }

  /**
   * Hands the next group to the writer, unless {@link GROUPS_WRITING} are with it already: it
   * commits the next while the event loop publishes the one before, and answers in order.
   */
  private commitQueued(): void {
    if (this.unanswered.length >= GROUPS_WRITING || this.queued.length === 0) return;
    const group = this.takeGroup();
    // Whatever the writer commits now takes positions above the head.
    this.unanswered.push(this.readHead() + 1);
    this.lastWritten = this.writer.write(group.map((queued) => queued.append)).then(
      (written) => this.answer(group, written),
      (error: unknown) => this.fail(group, error),
    );
    // What is left goes in a later turn of the event loop: sockets are read and written in between.
    if (this.queued.length > 0) setImmediate(() => this.commitQueued());
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
      events += (this.queued[count++] as QueuedAppend).append.rows.length;
    return this.queued.splice(0, count);
  }

  /** Once the group is durable: visible to reads, published in append order, answered. */
  private answer(group: readonly QueuedAppend[], written: GroupWritten): void {
    const recorded = group.map((queued, i) => recordedOf(queued.append, written.outcomes[i] as AppendOutcome));
    this.settled(lastPositionOf(recorded));
    if (written.unsynced !== undefined) {
      // Readable from now on, yet never published: the next read drops the kept events.
      this.stale = true;
      const failure = new EventStoreUnavailableError(`fsync failed: ${written.unsynced}`);
      for (const queued of group) queued.reject(failure);
      return;
    }
    // The whole group is kept before a subscriber hears of it and reads.
    for (const outcome of recorded) if ('events' in outcome) this.keep(outcome.events, outcome.sizes);
    group.forEach((queued, i) => {
      const outcome = recorded[i] as Recorded;
      if ('error' in outcome) return queued.reject(outcome.error);
      if ('refused' in outcome)
        return queued.reject(new WrongExpectedRevisionError(queued.append.streamId, queued.expected, outcome.refused));
      this.feed.publish(outcome.events);
      queued.resolve(outcome.result);
    });
  }

  private fail(group: readonly QueuedAppend[], error: unknown): void {
    // Whether any of it was written is unknown.
    this.stale = true;
    this.settled(null);
    for (const queued of group) queued.reject(error);
  }

  /**
   * The oldest group with the writer is answered: it hides nothing any more, the groups after
   * it take positions above its last, and the next group goes to the writer.
   */
  private settled(last: number | null): void {
    this.unanswered.shift();
    if (last !== null)
      for (let i = 0; i < this.unanswered.length; i += 1)
        this.unanswered[i] = Math.max(this.unanswered[i] as number, last + 1);
    // What it hid may have hidden another connection's commit too: the next read looks again.
    this.checkedVersion = -1;
    this.commitQueued();
  }

  /** Keeps a written append's events, after dropping the kept ones if another connection wrote in between. */
  private keep(events: readonly RecordedEvent[], sizes: readonly number[]): void {
    const first = events[0];
    if (first === undefined) return;
    if (this.stale || first.position !== this.recent.head + 1) this.forgetRecent(first.position - 1);
    this.recent.add(events, sizes);
  }

  /**
   * A read answered by the kept events, or null for the database to answer it. When they
   * could answer it, they are dropped first if the file holds a visible event above them
   * (another connection committed) or rows of a group that never became durable.
   */
  private kept(read: (recent: RecentEvents) => RecordedEvent[] | null): RecordedEvent[] | null {
    const found = read(this.recent);
    if (found === null) return null;
    // Nobody committed since the last check (a pragma, not a read of the table): still right.
    const version = this.statements.dataVersion.get() as number;
    if (!this.stale && version === this.checkedVersion) return found;
    const head = this.visibleHead();
    if (!this.stale && head === this.recent.head) {
      this.checkedVersion = version;
      return found;
    }
    this.forgetRecent(head);
    return read(this.recent);
  }

  /** Drops the kept events: only events above `floor` are kept from now on. */
  private forgetRecent(floor: number): void {
    this.stale = false;
    this.recent.reset(floor);
  }

  /** Reads stop below the oldest group with the writer. */
  private visibleBelow(): number {
    return this.unanswered[0] ?? ALL_VISIBLE;
  }

  private visibleHead(): number {
    return Math.min(this.readHead(), this.visibleBelow() - 1);
  }

  private readHead(): number {
    return this.statements.head.get()?.head ?? 0;
  }

  private assertOpen(): void {
    if (this.closing || !this.db.open) throw new EventStoreUnavailableError('sqlite event store is closed');
  }
}

/** A written append's events as readers get them; a refusal's stream revision; or the database's error. */
type Recorded =
  | { readonly events: RecordedEvent[]; readonly sizes: number[]; readonly result: AppendResult }
  | { readonly refused: number }
  | { readonly error: Error };

/** The position of the group's last event written, or null when it wrote none. */
function lastPositionOf(recorded: readonly Recorded[]): number | null {
  let last: number | null = null;
  for (const outcome of recorded)
    if ('events' in outcome && outcome.events.length > 0) last = outcome.result.lastPosition;
  return last;
}

function recordedOf(append: AppendRows, outcome: AppendOutcome): Recorded {
  if (outcome.kind === 'refused') return { refused: outcome.current };
  if (outcome.kind === 'failed') return { error: new EventStoreUnavailableError(outcome.message) };
  const { current, first } = outcome;
  // Feed subscribers get what a reader would get back, not the caller's own objects.
  const events = append.rows.map((row, index) =>
    freezeEvent(
      toRecorded({
        stream_id: append.streamId,
        revision: current + index + 1,
        position: first + index,
        type: row.type,
        data: row.data,
        metadata: row.metadata,
      }),
    ),
  );
  const sizes = append.rows.map((row) => row.data.length + row.metadata.length);
  return {
    events,
    sizes,
    result: { nextRevision: current + append.rows.length, lastPosition: first + append.rows.length - 1 },
  };
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
