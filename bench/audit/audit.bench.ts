/**
 * Audit export rows/s and peak RSS for a million records (compiled API in a child process,
 * PostgreSQL), and the downstream feed: SSE catch-up over HTTP and the JetStream relay, in
 * events/s. `npm run bench:audit`; AUDIT_BENCH_RECORDS changes 1,000,000, FEED_BENCH_EVENTS 200,000.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { auditKey } from '#audit';
import { SseParser } from '#client';
import { EventRelay, PostgresAuditLog, PostgresEventStore, signToken, silentLogger } from '#platform';
import type { NewEvent } from '#eventsourcing';
import { startNode, type RunningProcess } from '../../test/support/node-process.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const RECORDS = Number(process.env.AUDIT_BENCH_RECORDS ?? 1_000_000);
const FEED_EVENTS = Number(process.env.FEED_BENCH_EVENTS ?? 200_000);

const uniqueName = (prefix: string): string => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 10)}`;

async function sql(text: string): Promise<void> {
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    await db.query(text);
  } finally {
    await db.end();
  }
}

async function seedAudit(schema: string, count: number): Promise<void> {
  // Opened only to create the table; the seeded rows need not chain, so any key does.
  await (
    await PostgresAuditLog.open({ connectionString: DATABASE_URL, schema, key: auditKey(randomUUID() + randomUUID()) })
  ).close();
  await sql(`
    INSERT INTO ${pg.escapeIdentifier(schema)}.audit_log
    SELECT g, to_char(timestamp '2025-01-01' + g * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'admin.seeded', 'low', 'user-' || (g % 100), '10.0.0.' || (g % 250), 'bench', 'req-' || g, 'corr-' || g,
           'investigation', md5(g::text), true, null, 'seeded record number ' || g, md5((g - 1)::text) || md5((g - 1)::text), md5(g::text) || md5(g::text)
    FROM generate_series(1, ${count}) AS g`);
}

/** A compiled API on `schema`; `nodeOptions` e.g. a heap cap. */
async function withApi<T>(
  schema: string,
  nodeOptions: string,
  run: (url: string, token: string, api: RunningProcess) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'audit-bench-'));
  const secret = `bench-${randomUUID()}-${randomUUID()}`;
  const api = startNode('dist/apps/api/src/main.js', {
    NODE_OPTIONS: nodeOptions,
    EVENT_STORE: 'postgres',
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    DATA_DIR: dataDir,
    JWT_SECRET: secret,
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE_IP: '0',
  });
  try {
    const url = String((await api.waitForLog((l) => l.msg === 'api listening')).url).replace('localhost', '127.0.0.1');
    return await run(url, await signToken({ secret, subject: 'bench', roles: ['auditor'], ttlSeconds: 3600 }), api);
  } finally {
    await api.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const peakRssMb = (api: RunningProcess): number =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${api.child.pid}/status`, 'utf8'))?.[1]) / 1024;

async function exportBench(schema: string, format: string, nodeOptions: string): Promise<void> {
  await withApi(schema, nodeOptions, async (url, token, api) => {
    const started = performance.now();
    const res = await fetch(`${url}/api/v1/audit/export?format=${format}&event_type=admin.seeded`, {
      headers: { Authorization: `Bearer ${token}`, 'Accept-Encoding': 'identity' },
    });
    let bytes = 0;
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) bytes += chunk.length;
    const seconds = (performance.now() - started) / 1000;
    const heap = nodeOptions === '' ? 'no heap cap' : nodeOptions;
    console.log(
      `export ${format} (${heap}): ${RECORDS} records, ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s = ${Math.round(RECORDS / seconds)} rows/s, server peak RSS ${peakRssMb(api).toFixed(0)} MB`,
    );
  });
}

const metadata = () => ({
  eventId: randomUUID(),
  commandId: 'bench',
  correlationId: 'bench',
  userId: 'bench',
  occurredAt: new Date().toISOString(),
});

async function seedEvents(schema: string): Promise<PostgresEventStore> {
  const store = await PostgresEventStore.open({ connectionString: DATABASE_URL, schema });
  for (let s = 0; s < FEED_EVENTS / 100; s++) {
    const events: NewEvent[] = Array.from({ length: 100 }, (_, i) => ({
      type: 'AnomalyDetected',
      data: { i, score: 0.93, vendor: '12.345.678/0001-90' },
      metadata: metadata(),
    }));
    await store.appendToStream(`investigation-${s}`, events, 'no_stream');
  }
  return store;
}

/** GET /api/v1/events/stream from position 0: frames counted as they arrive. */
async function feedHttpBench(schema: string): Promise<void> {
  await withApi(schema, '', async (url, token) => {
    const started = performance.now();
    const controller = new AbortController();
    const res = await fetch(`${url}/api/v1/events/stream`, {
      headers: { Authorization: `Bearer ${token}`, 'Accept-Encoding': 'identity' },
      signal: controller.signal,
    });
    const parser = new SseParser();
    const decoder = new TextDecoder();
    let frames = 0;
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      frames += parser.push(decoder.decode(chunk, { stream: true })).events.length;
      if (frames >= FEED_EVENTS) break;
    }
    controller.abort();
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `feed over HTTP (SSE catch-up, PostgreSQL): ${frames} events in ${seconds.toFixed(2)} s = ${Math.round(frames / seconds)} events/s`,
    );
  });
}

async function relayBench(store: PostgresEventStore): Promise<void> {
  const streamName = uniqueName('BENCH_EVENTS').toUpperCase();
  const started = performance.now();
  const relay = await EventRelay.start({
    servers: NATS_URL,
    store,
    logger: silentLogger,
    streamName,
    subjectPrefix: streamName.toLowerCase(),
  });
  const head = await store.headPosition();
  while ((await relay.flushed()) < head) await new Promise((resolve) => setTimeout(resolve, 50));
  const seconds = (performance.now() - started) / 1000;
  await relay.stop();
  console.log(
    `relay to JetStream (CloudEvents, expected-sequence publishes): ${head} events in ${seconds.toFixed(2)} s = ${Math.round(head / seconds)} events/s`,
  );
  const nc = await connect({ servers: NATS_URL });
  await (await jetstreamManager(nc)).streams.delete(streamName);
  await nc.close();
}

const feedSchema = uniqueName('feed_bench');
const auditSchema = uniqueName('audit_bench');
try {
  const store = await seedEvents(feedSchema);
  await feedHttpBench(feedSchema);
  await relayBench(store);
  await store.close();
  await seedAudit(auditSchema, RECORDS);
  for (const format of ['csv', 'ndjson', 'json']) await exportBench(auditSchema, format, '');
  await exportBench(auditSchema, 'csv', '--max-old-space-size=128');
} finally {
  await sql(
    `DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(feedSchema)} CASCADE; DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(auditSchema)} CASCADE`,
  );
}
