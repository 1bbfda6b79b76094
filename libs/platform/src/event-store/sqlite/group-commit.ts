import type Database from 'better-sqlite3';

/** One append as the database writes it: its events already serialised. */
export interface AppendRows {
  readonly streamId: string;
  /** The stream's last revision the append requires (0: no stream), or null for any. */
  readonly wanted: number | null;
  readonly rows: readonly EventRowValues[];
}

export interface EventRowValues {
  readonly type: string;
  /** JSON. */
  readonly data: string;
  /** JSON. */
  readonly metadata: string;
}

/**
 * What became of one append of a group. Written: the stream's last revision before it and
 * the position of its first event (its events take the positions from there on; for an
 * empty append, one past the stream's last position). Refused: the stream's last revision,
 * which the append did not expect. Failed: the database's error.
 */
export type AppendOutcome =
  | { readonly kind: 'written'; readonly current: number; readonly first: number }
  | { readonly kind: 'refused'; readonly current: number }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * How every connection to the store's file is set up, the writer thread's too: WAL, so readers
 * and the writer do not block each other; a wait for a lock another connection (the writer, a
 * CLI, a backup) holds for a moment; commits that write the WAL only, made durable by the
 * writer's fsync. Self-contained for the same reason as {@link openGroupCommit}.
 */
export function configureConnection(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
}

/** Commits a group of appends in one transaction; throws only when the transaction as a whole fails. */
export type GroupCommit = (group: readonly AppendRows[]) => AppendOutcome[];

/**
 * The group commit of the embedded event store, on a connection to its file: one IMMEDIATE
 * transaction (the write lock is taken before any revision is read), each append in a
 * savepoint of its own, so a refused or failed append leaves the others written.
 *
 * Self-contained on purpose: the writer thread runs this very function from its source
 * text (see `sqlite-writer.ts`), so it uses nothing but its argument.
 */
export function openGroupCommit(db: Database.Database): GroupCommit {
  const last = db.prepare<[string], { revision: number; position: number }>(
    'SELECT revision, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
  );
  const insert = db.prepare<[string, number, string, string, string]>(
    'INSERT INTO events (stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?)',
  );
  const one = db.transaction((append: AppendRows): AppendOutcome => {
    const head = last.get(append.streamId);
    const current = head?.revision ?? 0;
    if (append.wanted !== null && append.wanted !== current) return { kind: 'refused', current };
    let first = (head?.position ?? 0) + 1;
    append.rows.forEach((row, index) => {
      const { lastInsertRowid } = insert.run(append.streamId, current + index + 1, row.type, row.data, row.metadata);
      // Nobody else writes inside the transaction: an append's rows take consecutive positions.
      if (index === 0) first = Number(lastInsertRowid);
    });
    return { kind: 'written', current, first };
  });
  const group = db.transaction((appends: readonly AppendRows[]) =>
    appends.map((append): AppendOutcome => {
      try {
        return one(append);
      } catch (error) {
        return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
  return (appends) => group.immediate(appends);
}
