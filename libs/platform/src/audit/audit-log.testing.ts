import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  auditCheckpointOf,
  AUDIT_CHECKPOINTS_STREAM,
  type AuditCheckpointData,
  type AuditKeyring,
  type AuditRecord,
} from '#audit';
import type { EventStore } from '#eventsourcing';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store.js';
import { silentLogger } from '../logging/logger.js';
import { anchoredAuditLog, AuditAnchor } from './audit-anchor.js';
import { auditRecords, type AuditLog } from './audit-log.port.js';
import { AUDIT_COLUMNS, auditPlaceholders, toAuditValues } from './audit-row.js';
import { PostgresAuditLog } from './postgres-audit-log.js';
import { SqliteAuditLog } from './sqlite-audit-log.js';

export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type AuditAdapterKind = 'sqlite' | 'postgres';

export interface AnchorTiming {
  readonly everyRecords?: number;
  readonly intervalMs?: number;
}

/** One audit log and its event store, and raw access to both as someone with database access has it. */
export interface AuditHarness {
  readonly kind: AuditAdapterKind;
  /** Appends count towards checkpoints, as in the runtime. */
  readonly log: AuditLog;
  readonly anchor: AuditAnchor;
  readonly store: EventStore;
  /** Runs SQL on the audit table, named `audit_log` in the statement. */
  sql(statement: string): Promise<void>;
  /** Inserts a row as given, bypassing the log. */
  insert(record: AuditRecord): Promise<void>;
  rows(): Promise<AuditRecord[]>;
  checkpoints(): Promise<AuditCheckpointData[]>;
  /** Another handle on the same table and store, with its own anchor: another process. */
  open(ring: AuditKeyring, timing?: AnchorTiming): Promise<AuditHarness>;
  /** Stops the anchor (its last checkpoint included) and closes this handle; again: the same. */
  close(): Promise<void>;
}

/** The audit table as created before the chain was keyed (no key_id). */
const UNKEYED_TABLE = (table: string): string => `
  CREATE TABLE ${table} (
    seq bigint PRIMARY KEY, occurred_at text NOT NULL, event_type text NOT NULL, severity text NOT NULL,
    user_id text, ip text, user_agent text, request_id text, correlation_id text, resource_type text, resource_id text,
    success boolean NOT NULL, error_code text, message text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL
  )`;

interface Place {
  readonly kind: AuditAdapterKind;
  readonly openLog: (ring: AuditKeyring) => Promise<AuditLog>;
  readonly openStore: () => Promise<EventStore>;
  readonly sql: (statement: string, values?: unknown[]) => Promise<void>;
  readonly placeholder: (index: number) => string;
  readonly success: (ok: boolean) => boolean | number;
  readonly createSchema: () => Promise<void>;
  readonly dispose: () => Promise<void>;
}

function sqlitePlace(): Place {
  const dir = mkdtempSync(join(tmpdir(), 'audit-harness-'));
  const auditFile = join(dir, 'audit.sqlite');
  return {
    kind: 'sqlite',
    openLog: async (ring) => new SqliteAuditLog(auditFile, ring.current),
    openStore: async () => new SqliteEventStore({ filename: join(dir, 'events.sqlite') }),
    sql: async (statement, values = []) => {
      const db = new Database(auditFile);
      try {
        if (values.length === 0) db.exec(statement);
        else db.prepare(statement).run(...values);
      } finally {
        db.close();
      }
    },
    placeholder: () => '?',
    success: (ok) => (ok ? 1 : 0),
    createSchema: async () => undefined,
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresPlace(): Place {
  const schema = `audit_h_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const table = `${pg.escapeIdentifier(schema)}.audit_log`;
  const sql = async (statement: string, values: unknown[] = []): Promise<void> => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query(statement.replaceAll('audit_log', table), values);
    } finally {
      await client.end();
    }
  };
  return {
    kind: 'postgres',
    openLog: (ring) => PostgresAuditLog.open({ connectionString: TEST_DATABASE_URL, schema, key: ring.current }),
    openStore: () => PostgresEventStore.open({ connectionString: TEST_DATABASE_URL, schema }),
    sql,
    placeholder: (index) => `$${index}`,
    success: (ok) => ok,
    createSchema: () => sql(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`),
    dispose: () => sql(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`),
  };
}

async function harness(place: Place, ring: AuditKeyring, timing: AnchorTiming): Promise<AuditHarness> {
  const [log, store] = [await place.openLog(ring), await place.openStore()];
  // Checkpoints only when a test asks for them, unless it sets a cadence.
  const anchor = AuditAnchor.start({
    log,
    store,
    ring,
    logger: silentLogger,
    everyRecords: timing.everyRecords ?? 1e9,
    intervalMs: timing.intervalMs ?? 3_600_000,
  });
  let closed: Promise<void> | undefined;
  return {
    kind: place.kind,
    log: anchoredAuditLog(log, anchor),
    anchor,
    store,
    sql: (statement) => place.sql(statement),
    insert: (record) =>
      place.sql(
        `INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (${auditPlaceholders(place.placeholder)})`,
        toAuditValues(record, place.success),
      ),
    rows: async () => {
      const records: AuditRecord[] = [];
      for await (const record of auditRecords(log)) records.push(record);
      return records;
    },
    checkpoints: async () =>
      (await store.readStream(AUDIT_CHECKPOINTS_STREAM)).flatMap((event) => auditCheckpointOf(event) ?? []),
    open: (nextRing, nextTiming = timing) => harness(place, nextRing, nextTiming),
    close: () => {
      closed ??= (async () => {
        await anchor.stop();
        await log.close();
        await store.close();
      })();
      return closed;
    },
  };
}

export interface AuditPlace {
  readonly kind: AuditAdapterKind;
  /** Opens the log (migrating the table) with its store and anchor. */
  open(ring: AuditKeyring, timing?: AnchorTiming): Promise<AuditHarness>;
  /** Creates the table as it was before keys and fills it with `records`, before any open. */
  seedUnkeyed(records: readonly AuditRecord[]): Promise<void>;
  /** Drops the schema or removes the files. */
  dispose(): Promise<void>;
}

/** A fresh place for an audit log: a temporary directory (SQLite) or a schema of its own (PostgreSQL). */
export function auditPlace(kind: AuditAdapterKind): AuditPlace {
  const place = kind === 'sqlite' ? sqlitePlace() : postgresPlace();
  return {
    kind,
    open: (ring, timing = {}) => harness(place, ring, timing),
    seedUnkeyed: async (records) => {
      await place.createSchema();
      const ddl = UNKEYED_TABLE('audit_log');
      await place.sql(
        kind === 'sqlite'
          ? ddl.replace('bigint PRIMARY KEY', 'INTEGER PRIMARY KEY').replace('boolean', 'INTEGER')
          : ddl,
      );
      const columns = AUDIT_COLUMNS.replace(', key_id', '');
      const placeholders = auditPlaceholders(place.placeholder).split(', ').slice(0, -1).join(', ');
      for (const record of records)
        await place.sql(
          `INSERT INTO audit_log (${columns}) VALUES (${placeholders})`,
          toAuditValues(record, place.success).slice(0, -1),
        );
    },
    dispose: place.dispose,
  };
}
