import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  CheckpointMove,
  DocumentQuery,
  ProjectionCheckpoint,
  ReadModelStore,
  StoredDocument,
} from '#eventsourcing';
import { DOCUMENT_COLUMNS, documentValues, listClauses, toStoredDocument, type DocumentRow } from './document-rows.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS read_model_checkpoints (
    projection TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS read_model_documents (
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    owner TEXT,
    status TEXT,
    sort_at TEXT NOT NULL,
    search TEXT,
    position INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (collection, id)
  );
  CREATE INDEX IF NOT EXISTS read_model_documents_listed ON read_model_documents (collection, sort_at DESC, id DESC);
  CREATE INDEX IF NOT EXISTS read_model_documents_changed ON read_model_documents (collection, position);
`;

type SqliteRow = DocumentRow & { readonly doc: string };

/**
 * Read models of the embedded mode, in their own SQLite file beside the event store's.
 * What is here is derived from the event store and kept with its checkpoint in one
 * transaction, so a commit needs no fsync of its own (synchronous NORMAL): a power cut loses
 * at most the last commits, documents and checkpoint together, and they are projected again.
 * The fsync it saves blocked the event loop for milliseconds per projector run.
 */
export class SqliteReadModelStore implements ReadModelStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly commitTransaction;
  private readonly statements;
  /** Statements of list() and changes() by their SQL: a query's shape (which filters it has) is one of a few dozen. */
  private readonly prepared = new Map<string, Database.Statement<unknown[], SqliteRow>>();

  constructor(filename: string) {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    // The rebuild script may hold the write lock for a moment while the api runs.
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.statements = {
      document: this.db.prepare<[string, string], SqliteRow>(
        `SELECT ${DOCUMENT_COLUMNS} FROM read_model_documents WHERE collection = ? AND id = ?`,
      ),
      checkpoint: this.db.prepare<[string], ProjectionCheckpoint>(
        'SELECT projection, version, position FROM read_model_checkpoints WHERE projection = ?',
      ),
      ping: this.db.prepare('SELECT 1'),
    };
    const upsert = this.db.prepare(
      `INSERT OR REPLACE INTO read_model_documents (${DOCUMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const moveCheckpoint = this.db.prepare(
      `INSERT INTO read_model_checkpoints (projection, version, position) VALUES (?, ?, ?)
       ON CONFLICT (projection) DO UPDATE SET version = excluded.version, position = excluded.position`,
    );
    this.commitTransaction = this.db.transaction((move: CheckpointMove): boolean => {
      if ((this.readCheckpoint(move.projection)?.position ?? 0) !== move.from) return false;
      moveCheckpoint.run(move.projection, move.version, move.to);
      for (const write of move.writes) upsert.run(...documentValues(write));
      return true;
    });
  }

  async checkpoint(projection: string): Promise<ProjectionCheckpoint | null> {
    return this.readCheckpoint(projection);
  }

  async commit(move: CheckpointMove): Promise<boolean> {
    return this.commitTransaction.immediate(move);
  }

  async reset(projection: string, collections: readonly string[]): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM read_model_checkpoints WHERE projection = ?').run(projection);
      const drop = this.db.prepare('DELETE FROM read_model_documents WHERE collection = ?');
      for (const collection of collections) drop.run(collection);
    })();
  }

  async get<Doc>(collection: string, id: string): Promise<StoredDocument<Doc> | null> {
    const row = this.statements.document.get(collection, id);
    return row ? parse<Doc>(row) : null;
  }

  async list<Doc>(query: DocumentQuery): Promise<StoredDocument<Doc>[]> {
    const values: unknown[] = [];
    const clauses = listClauses(
      query,
      (value) => (values.push(value), '?'),
      (column, needle) => `instr(${column}, ${needle}) > 0`,
    );
    const rows = this.statement(`SELECT ${DOCUMENT_COLUMNS} FROM read_model_documents ${clauses}`).all(...values);
    return rows.map((row) => parse<Doc>(row));
  }

  async changes<Doc>(collection: string, afterPosition: number, limit: number): Promise<StoredDocument<Doc>[]> {
    const rows = this.statement(
      `SELECT ${DOCUMENT_COLUMNS} FROM read_model_documents WHERE collection = ? AND position > ?
         ORDER BY position, id LIMIT ?`,
    ).all(collection, afterPosition, limit);
    return rows.map((row) => parse<Doc>(row));
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** Preparing costs more than running a small query: each SQL text is prepared once. */
  private statement(sql: string): Database.Statement<unknown[], SqliteRow> {
    let statement = this.prepared.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[], SqliteRow>(sql);
      this.prepared.set(sql, statement);
    }
    return statement;
  }

  private readCheckpoint(projection: string): ProjectionCheckpoint | null {
    return this.statements.checkpoint.get(projection) ?? null;
  }
}

const parse = <Doc>(row: SqliteRow): StoredDocument<Doc> => toStoredDocument<Doc>(row, JSON.parse(row.doc));
