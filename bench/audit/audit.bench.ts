/**
 * Audit export rows/s and peak RSS for a million records (compiled API in a child process,
 * PostgreSQL), and the event feed's catch-up rate in events/s (SQLite, in process).
 * `npm run build && node dist/bench/audit/audit.bench.js`; AUDIT_BENCH_RECORDS changes 1,000,000.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, take, toArray } from 'rxjs';
import pg from 'pg';
import { LiveFeed, PostgresAuditLog, SqliteEventStore, signToken, type NewEvent } from '#platform';
import { allEventsAfter } from '../../apps/api/src/events/all-events-feed.js';
import { startNode } from '../../test/support/node-process.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RECORDS = Number(process.env.AUDIT_BENCH_RECORDS ?? 1_000_000);
const FEED_EVENTS = 200_000;

async function seed(schema: string): Promise<void> {
  await (await PostgresAuditLog.open({ connectionString: DATABASE_URL, schema })).close();
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  await db.query(`
    INSERT INTO ${pg.escapeIdentifier(schema)}.audit_log
    SELECT g, to_char(timestamp '2025-01-01' + g * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'admin.seeded', 'low', 'user-' || (g % 100), '10.0.0.' || (g % 250), 'bench', 'req-' || g, 'corr-' || g,
           'investigation', md5(g::text), true, null, 'seeded record number ' || g, md5((g - 1)::text) || md5((g - 1)::text), md5(g::text) || md5(g::text)
    FROM generate_series(1, ${RECORDS}) AS g`);
  await db.end();
}

async function exportBench(format: string): Promise<void> {
  const schema = `audit_bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'audit-bench-'));
  const secret = `bench-${randomUUID()}-${randomUUID()}`;
  await seed(schema);
  const api = startNode('dist/apps/api/src/main.js', { EVENT_STORE: 'postgres', DATABASE_URL, DATABASE_SCHEMA: schema, DATA_DIR: dataDir, JWT_SECRET: secret, HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info' });
  try {
    const url = String((await api.waitForLog((l) => l.msg === 'api listening')).url).replace('localhost', '127.0.0.1');
    const token = await signToken({ secret, subject: 'bench', roles: ['auditor'], ttlSeconds: 3600 });
    const started = performance.now();
    const res = await fetch(`${url}/api/v1/audit/export?format=${format}&event_type=admin.seeded`, { headers: { Authorization: `Bearer ${token}`, 'Accept-Encoding': 'identity' } });
    let bytes = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
    const seconds = (performance.now() - started) / 1000;
    const peak = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${api.child.pid}/status`, 'utf8'))?.[1]) / 1024;
    console.log(`export ${format}: ${RECORDS} records, ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s = ${Math.round(RECORDS / seconds)} rows/s, server peak RSS ${peak.toFixed(0)} MB`);
  } finally {
    await api.stop('SIGKILL');
    const db = new pg.Client({ connectionString: DATABASE_URL });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await db.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function feedBench(): Promise<void> {
  const store = new SqliteEventStore({ filename: ':memory:' });
  const metadata = () => ({ eventId: randomUUID(), commandId: 'c', correlationId: 'c', userId: 'bench', occurredAt: new Date().toISOString() });
  for (let s = 0; s < FEED_EVENTS / 100; s++) {
    const events: NewEvent[] = Array.from({ length: 100 }, (_, i) => ({ type: 'AnomalyDetected', data: { i }, metadata: metadata() }));
    await store.appendToStream(`investigation-${s}`, events, 'no_stream');
  }
  const feed = new LiveFeed(store);
  const started = performance.now();
  const received = await lastValueFrom(allEventsAfter(store, feed, 0).pipe(take(FEED_EVENTS), toArray()));
  const seconds = (performance.now() - started) / 1000;
  console.log(`feed catch-up: ${received.length} events in ${seconds.toFixed(2)} s = ${Math.round(received.length / seconds)} events/s`);
  feed.close();
  await store.close();
}

await feedBench();
await exportBench('csv');
await exportBench('ndjson');
