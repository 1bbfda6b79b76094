import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { chainNext, type AuditEntry, type AuditFilter, type AuditKey, type AuditRecord } from '#audit';
import { silentLogger, type Logger } from '../logging/logger.js';
import { jitteredBackoff } from '../resilience/backoff.js';
import { PgConnections, type PgCheckout } from '../postgres/pg-connections.js';
import { AuditLogUnavailableError } from './audit-log.errors.js';
import { DEFAULT_AUDIT_BATCH, type AuditAppendOptions, type AuditLog } from './audit-log.port.js';
import { AUDIT_COLUMNS, auditPlaceholders, auditWhere, fromAuditRow, toAuditValues } from './audit-row.js';

export interface PostgresAuditLogOptions {
  readonly connectionString: string;
  readonly schema: string;
  /** The HMAC key new records are chained with. */
  readonly key: AuditKey;
  readonly logger?: Logger;
}

/** A signed 64-bit key as text (JavaScript numbers cannot hold it); cast with ::bigint. */
const advisoryKey = (text: string): string => createHash('sha256').update(text).digest().readBigInt64BE(0).toString();

/** A read that lost its connection this many times in a row, without a batch in between, gives up. */
const READ_ATTEMPTS = 5;
const readRetryDelay = jitteredBackoff({ minMs: 100, maxMs: 2_000 });

const unavailable = (message: string, cause: unknown): AuditLogUnavailableError =>
  new AuditLogUnavailableError(`postgres audit log unavailable: ${message}`, { cause });

/**
 * Shared by every api and worker process. Each append holds a transaction-scoped advisory
 * lock while it reads the last hash and inserts the next record: without it two processes
 * could both chain onto the same predecessor and fork the chain.
 */
export class PostgresAuditLog implements AuditLog {
  readonly kind = 'postgres';

  private constructor(
    private readonly connections: PgConnections,
    private readonly table: string,
    private readonly lockKey: string,
    private readonly key: AuditKey,
  ) {}

  static async open({
    connectionString,
    schema,
    key,
    logger = silentLogger,
  }: PostgresAuditLogOptions): Promise<PostgresAuditLog> {
    const connections = new PgConnections({
      connectionString,
      applicationName: `audit-log-${schema}`,
      logger,
      unavailable,
    });
    const log = new PostgresAuditLog(
      connections,
      `${pg.escapeIdentifier(schema)}.audit_log`,
      advisoryKey(`audit-log:append:${schema}`),
      key,
    );
    try {
      await log.migrate(schema);
    } catch (error) {
      await connections.end();
      throw error;
    }
    return log;
  }

  private async migrate(schema: string): Promise<void> {
    await this.connections.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryKey(`audit-log:migrate:${schema}`)]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.table} (
          seq bigint PRIMARY KEY,
          occurred_at text NOT NULL,
          event_type text NOT NULL,
          severity text NOT NULL,
          user_id text,
          ip text,
          user_agent text,
          request_id text,
          correlation_id text,
          resource_type text,
          resource_id text,
          success boolean NOT NULL,
          error_code text,
          message text NOT NULL,
          prev_hash text NOT NULL,
          hash text NOT NULL,
          key_id text
        )`);
      // Logs created before the chain was keyed: their rows read as unkeyed (NULL).
      await client.query(`ALTER TABLE ${this.table} ADD COLUMN IF NOT EXISTS key_id text`);
      await client.query(`ALTER TABLE ${this.table} ADD COLUMN IF NOT EXISTS dedupe_key text`);
      await client.query(
        `CREATE UNIQUE INDEX IF NOT EXISTS audit_log_dedupe_key ON ${this.table} (dedupe_key) WHERE dedupe_key IS NOT NULL`,
      );
    });
  }

  async append(entry: AuditEntry, options: AuditAppendOptions = {}): Promise<AuditRecord> {
    const { dedupeKey } = options;
    return this.connections.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.lockKey]);
      if (dedupeKey !== undefined) {
        const existing = await client.query<Array<string | boolean | null>>({
          text: `SELECT ${AUDIT_COLUMNS} FROM ${this.table} WHERE dedupe_key = $1`,
          values: [dedupeKey],
          rowMode: 'array',
        });
        if (existing.rows[0]) return fromAuditRow(existing.rows[0]);
      }
      const last = await client.query<{ seq: string; hash: string; key_id: string | null }>(
        `SELECT seq, hash, key_id FROM ${this.table} ORDER BY seq DESC LIMIT 1`,
      );
      const tail = last.rows[0]
        ? { seq: Number(last.rows[0].seq), hash: last.rows[0].hash, keyId: last.rows[0].key_id }
        : null;
      const records = chainNext(tail, entry, this.key);
      for (const record of records) {
        await client.query(
          `INSERT INTO ${this.table} (${AUDIT_COLUMNS}) VALUES (${auditPlaceholders((i) => `$${i}`)})`,
          toAuditValues(record, (ok) => ok),
        );
      }
      const appended = records[records.length - 1] as AuditRecord;
      if (dedupeKey !== undefined)
        await client.query(`UPDATE ${this.table} SET dedupe_key = $1 WHERE seq = $2`, [dedupeKey, appended.seq]);
      return appended;
    });
  }

  /**
   * Records commit in seq order (appends take the lock), so a read that lost its connection
   * carries on from the last record it handed out, on a new cursor: nothing is skipped and
   * nothing repeated, only records appended meanwhile become visible too. It gives up after
   * READ_ATTEMPTS failures in a row, and a consumer then sees AuditLogUnavailableError.
   */
  async *read(
    filter: AuditFilter = {},
    batchSize = DEFAULT_AUDIT_BATCH,
    afterSeq?: number,
  ): AsyncGenerator<readonly AuditRecord[]> {
    let after = afterSeq;
    for (let failures = 0; ;) {
      try {
        for await (const batch of this.readCursor(filter, batchSize, after)) {
          failures = 0;
          after = batch.at(-1)?.seq ?? after;
          yield batch;
        }
        return;
      } catch (error) {
        failures += 1;
        if (!(error instanceof AuditLogUnavailableError) || failures >= READ_ATTEMPTS) throw error;
        await delay(readRetryDelay(failures - 1));
      }
    }
  }

  async ping(): Promise<void> {
    await this.connections.ping();
  }

  async close(): Promise<void> {
    await this.connections.end();
  }

  /**
   * A server-side cursor in a read-only transaction: one snapshot, one plan chosen for the
   * whole walk (keyset pages re-planned per page can fall into a sort of every remaining
   * row each time), and FETCH hands over one batch at a time.
   */
  private async *readCursor(
    filter: AuditFilter,
    batchSize: number,
    afterSeq: number | undefined,
  ): AsyncGenerator<readonly AuditRecord[]> {
    const values: unknown[] = [];
    const where = auditWhere(
      filter,
      (value) => {
        values.push(value);
        return `$${values.length}`;
      },
      afterSeq,
    );
    const checkout = await this.connections.checkout();
    const { client } = checkout;
    let failure: unknown;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query({
        text: `DECLARE audit_read NO SCROLL CURSOR FOR SELECT ${AUDIT_COLUMNS} FROM ${this.table} WHERE ${where} ORDER BY seq`,
        values,
      });
      for (;;) {
        const { rows } = await client.query<Array<string | boolean | null>>({
          text: `FETCH FORWARD ${Math.max(1, Math.floor(batchSize))} FROM audit_read`,
          rowMode: 'array',
        });
        if (rows.length > 0) yield rows.map(fromAuditRow);
        if (rows.length < batchSize) break;
      }
    } catch (error) {
      failure = error;
      throw checkout.classify(error);
    } finally {
      // Reached on completion, on error and when the consumer returns early.
      await finish(checkout, failure);
    }
  }
}

/** Ends the cursor's transaction; a client that cannot is destroyed rather than pooled. */
async function finish(checkout: PgCheckout, failure: unknown): Promise<void> {
  try {
    await checkout.client.query('COMMIT');
    checkout.release(failure);
  } catch (error) {
    checkout.discard(error);
  }
}
