/**
 * The keyed audit chain: hashing cost (HMAC-SHA256 against the plain SHA-256 it replaced),
 * appends, the first checkpoint (which walks the whole table), an incremental one, and a
 * full verification, on PostgreSQL and SQLite. `npm run bench:audit-chain`;
 * AUDIT_CHAIN_BENCH_RECORDS changes the 200,000 records.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { auditEntry, auditHash, auditKeyring, chainNext, GENESIS_HASH, type AuditRecord } from '#audit';
import {
  AuditAnchor,
  PostgresAuditLog,
  PostgresEventStore,
  silentLogger,
  SqliteAuditLog,
  SqliteEventStore,
  type AuditLog,
} from '#platform';
import type { EventStore } from '#eventsourcing';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RECORDS = Number(process.env.AUDIT_CHAIN_BENCH_RECORDS ?? 200_000);
const APPENDS = 1_000;
const RING = auditKeyring(`bench-${randomUUID()}-${randomUUID()}`);

const entry = (n: number) =>
  auditEntry({
    occurredAt: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString(),
    eventType: 'auth.login_succeeded',
    severity: 'low',
    success: true,
    userId: `user-${n % 100}`,
    ip: '10.0.0.1',
    userAgent: 'bench',
    requestId: `req-${n}`,
    resourceType: 'route',
    resourceId: '/api/v1/investigations',
    message: `seeded record number ${n}`,
  });

const seconds = (started: number): number => (performance.now() - started) / 1000;
const rate = (count: number, s: number): string => `${count} in ${s.toFixed(2)} s = ${Math.round(count / s)}/s`;

function hashingBench(): void {
  for (const [name, key] of [
    ['plain SHA-256 (before)', null],
    ['HMAC-SHA256', RING.current],
  ] as const) {
    const started = performance.now();
    let prev = GENESIS_HASH;
    for (let n = 1; n <= RECORDS; n++) prev = auditHash(n, entry(n), prev, key);
    console.log(`hashing, ${name}: ${rate(RECORDS, seconds(started))} records`);
  }
}

/** A keyed chain of RECORDS records, computed here and inserted in batches (as the log would have written them). */
function* chainBatches(size: number): Generator<AuditRecord[]> {
  let tail: AuditRecord | null = null;
  const batch: AuditRecord[] = [];
  for (let n = 1; n <= RECORDS; n++) {
    const [record] = chainNext(tail, entry(n), RING.current) as [AuditRecord];
    tail = record;
    batch.push(record);
    if (batch.length === size) yield batch.splice(0);
  }
  if (batch.length > 0) yield batch;
}

const values = (r: AuditRecord) => [
  r.seq,
  r.occurredAt,
  r.eventType,
  r.severity,
  r.userId,
  r.ip,
  r.userAgent,
  r.requestId,
  r.correlationId,
  r.resourceType,
  r.resourceId,
  r.success,
  r.errorCode,
  r.message,
  r.prevHash,
  r.hash,
  r.keyId,
];

async function seedPostgres(schema: string): Promise<void> {
  await (await PostgresAuditLog.open({ connectionString: DATABASE_URL, schema, key: RING.current })).close();
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  const types = [
    'bigint',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'boolean',
    'text',
    'text',
    'text',
    'text',
    'text',
  ];
  const unnest = types.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
  for (const batch of chainBatches(5000)) {
    const columns = types.map((_, i) => batch.map((r) => values(r)[i]));
    await db.query(`INSERT INTO ${pg.escapeIdentifier(schema)}.audit_log SELECT * FROM unnest(${unnest})`, columns);
  }
  await db.end();
}

async function seedSqlite(file: string): Promise<void> {
  await new SqliteAuditLog(file, RING.current).close();
  const db = new Database(file);
  const insert = db.prepare(`INSERT INTO audit_log VALUES (${Array(17).fill('?').join(', ')})`);
  const many = db.transaction((rows: AuditRecord[]) => {
    for (const r of rows) insert.run(...values(r).map((v) => (typeof v === 'boolean' ? Number(v) : v)));
  });
  for (const batch of chainBatches(5000)) many(batch);
  db.close();
}

async function anchorBench(name: string, log: AuditLog, store: EventStore): Promise<void> {
  const anchor = AuditAnchor.start({
    log,
    store,
    ring: RING,
    logger: silentLogger,
    everyRecords: 1e9,
    intervalMs: 3_600_000,
  });
  let started = performance.now();
  const first = await anchor.checkpoint();
  console.log(`${name}: first checkpoint (walks the table): ${first.kind} ${rate(RECORDS, seconds(started))} records`);
  started = performance.now();
  for (let n = RECORDS + 1; n <= RECORDS + APPENDS; n++) await log.append(entry(n));
  console.log(`${name}: appends, one at a time: ${rate(APPENDS, seconds(started))}`);
  started = performance.now();
  const next = await anchor.checkpoint();
  console.log(
    `${name}: incremental checkpoint after ${APPENDS} records: ${next.kind} in ${(seconds(started) * 1000).toFixed(0)} ms`,
  );
  started = performance.now();
  const verdict = await anchor.verify(5000);
  console.log(`${name}: GET /verify's walk: valid=${verdict.valid} ${rate(verdict.checked, seconds(started))} records`);
  await anchor.stop();
}

hashingBench();
const schema = `audit_chain_bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
const dir = mkdtempSync(join(tmpdir(), 'audit-chain-bench-'));
try {
  await seedPostgres(schema);
  const [log, store] = [
    await PostgresAuditLog.open({ connectionString: DATABASE_URL, schema, key: RING.current }),
    await PostgresEventStore.open({ connectionString: DATABASE_URL, schema }),
  ];
  await anchorBench('PostgreSQL', log, store);
  await log.close();
  await store.close();
  await seedSqlite(join(dir, 'audit.sqlite'));
  const [sqliteLog, sqliteStore] = [
    new SqliteAuditLog(join(dir, 'audit.sqlite'), RING.current),
    new SqliteEventStore({ filename: join(dir, 'events.sqlite') }),
  ];
  await anchorBench('SQLite', sqliteLog, sqliteStore);
  await sqliteLog.close();
  await sqliteStore.close();
} finally {
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  await db.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  await db.end();
  rmSync(dir, { recursive: true, force: true });
}
