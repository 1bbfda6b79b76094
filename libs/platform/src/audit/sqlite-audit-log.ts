import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { chainNext, type AuditEntry, type AuditFilter, type AuditKey, type AuditRecord, type ChainTail } from '#audit';
import { AuditLogUnavailableError } from './audit-log.errors.js';
import { DEFAULT_AUDIT_BATCH, type AuditAppendOptions, type AuditLog } from './audit-log.port.js';
import { AUDIT_COLUMNS, auditPlaceholders, auditWhere, fromAuditRow, toAuditValues } from './audit-row.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY,
    occurred_at TEXT NOT NULL,
    event_type TEXT NOT NULL,
    severity TEXT NOT NULL,
    user_id TEXT,
    ip TEXT,
    user_agent TEXT,
    request_id TEXT,
    correlation_id TEXT,
    resource_type TEXT,
    resource_id TEXT,
    success INTEGER NOT NULL,
    error_code TEXT,
    message TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    key_id TEXT
  );
`;

/** Columns added after the first release: key_id (NULL: written before the chain was keyed) and dedupe_key. */
function addLaterColumns(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(audit_log)').all();
  if (!columns.some((column) => column.name === 'key_id')) db.exec('ALTER TABLE audit_log ADD COLUMN key_id TEXT');
  if (!columns.some((column) => column.name === 'dedupe_key'))
    db.exec('ALTER TABLE audit_log ADD COLUMN dedupe_key TEXT');
  db.exec(
    'CREATE UNIQUE INDEX IF NOT EXISTS audit_log_dedupe_key ON audit_log (dedupe_key) WHERE dedupe_key IS NOT NULL',
  );
}

/**
 * Embedded audit log. better-sqlite3 is synchronous: reading the last record and inserting
 * the next run in one transaction nothing can interleave with, so the chain stays linear.
 */
export class SqliteAuditLog implements AuditLog {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly appendTransaction: Database.Transaction<
    (entry: AuditEntry, dedupeKey: string | null) => AuditRecord
  >;

  /** `key`: the HMAC key new records are chained with. */
  constructor(filename: string, key: AuditKey) {
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    addLaterColumns(this.db);
    const last = this.db.prepare<[], ChainTail>(
      'SELECT seq, hash, key_id AS keyId FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    const insert = this.db.prepare(`INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (${auditPlaceholders(() => '?')})`);
    const recorded = this.db
      .prepare<[string], Array<string | number | null>>(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE dedupe_key = ?`)
      .raw();
    const markRecorded = this.db.prepare<[string, number]>('UPDATE audit_log SET dedupe_key = ? WHERE seq = ?');
    this.appendTransaction = this.db.transaction((entry: AuditEntry, dedupeKey: string | null) => {
      const existing = dedupeKey === null ? undefined : recorded.get(dedupeKey);
      if (existing) return fromAuditRow(existing);
      const records = chainNext(last.get() ?? null, entry, key);
      for (const record of records) insert.run(...toAuditValues(record, (ok) => (ok ? 1 : 0)));
      const appended = records[records.length - 1] as AuditRecord;
      if (dedupeKey !== null) markRecorded.run(dedupeKey, appended.seq);
      return appended;
    });
  }

  async append(entry: AuditEntry, options: AuditAppendOptions = {}): Promise<AuditRecord> {
    return this.appendTransaction.immediate(entry, options.dedupeKey ?? null);
  }

  /**
   * Keyset batches over the rowid (seq is INTEGER PRIMARY KEY, so each batch is a range
   * seek). A statement held open across awaits would lock this connection against the
   * appends that keep arriving during an export.
   */
  async *read(
    filter: AuditFilter = {},
    batchSize = DEFAULT_AUDIT_BATCH,
    from = 0,
  ): AsyncGenerator<readonly AuditRecord[]> {
    let afterSeq = from;
    for (;;) {
      const values: unknown[] = [];
      const where = auditWhere(
        filter,
        (value) => {
          values.push(value);
          return '?';
        },
        afterSeq,
      );
      const rows = this.db
        .prepare<unknown[], Array<string | number | null>>(
          `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE ${where} ORDER BY seq LIMIT ?`,
        )
        .raw()
        .all(...values, batchSize);
      if (rows.length > 0) yield rows.map(fromAuditRow);
      const last = rows.at(-1);
      if (!last || rows.length < batchSize) return;
      afterSeq = Number(last[0]);
    }
  }

  async ping(): Promise<void> {
    if (!this.db.open) throw new AuditLogUnavailableError('the sqlite audit log is closed');
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
