import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { auditKey } from '#audit';
import { PostgresAuditLog, signToken } from '#platform';
import { startNode, type RunningProcess } from './support/node-process.js';
import { waitUntil } from './support/wait-until.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN = randomUUID().replaceAll('-', '').slice(0, 10);
const SCHEMA = `audit_export_${RUN}`;
const JWT_SECRET = `export-${RUN}-${randomUUID()}`;
/** The million records, and a tenth of it to compare the peak with. */
const TOTAL = 1_000_000;
const SMALL = 100_000;
/** Seeded records are one second apart from this instant: a date bound selects a count. */
const EPOCH = Date.parse('2025-01-01T00:00:00.000Z');
/**
 * How much peak RSS may rise from the small export to the tenfold one. Held in memory,
 * 900k more rows of 16 fields would need several hundred MB more (and could not fit the
 * 128 MB heap the API runs with); streamed, the peak stays within a constant margin.
 */
const MARGIN_BYTES = 64 * 1024 * 1024;
/** And an absolute ceiling for the whole process, heap cap plus buffers and code. */
const CEILING_BYTES = 320 * 1024 * 1024;

let db: pg.Client;
let api: RunningProcess;
let url = '';
let auth: Record<string, string> = {};
const dataDir = mkdtempSync(join(tmpdir(), 'audit-export-'));

/** One statement, so seeding a million rows takes seconds; the rows need not chain for an export. */
async function seed(): Promise<void> {
  const log = await PostgresAuditLog.open({
    connectionString: DATABASE_URL,
    schema: SCHEMA,
    key: auditKey(JWT_SECRET),
  });
  await log.close();
  await db.query(`
    INSERT INTO ${pg.escapeIdentifier(SCHEMA)}.audit_log
    SELECT g, to_char(timestamp '2025-01-01' + g * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'admin.seeded', 'low', 'user-' || (g % 100), '10.0.0.' || (g % 250), 'seed', 'req-' || g, 'corr-' || g,
           'investigation', md5(g::text), true, null, 'seeded record number ' || g, md5((g - 1)::text) || md5((g - 1)::text), md5(g::text) || md5(g::text)
    FROM generate_series(1, ${TOTAL}) AS g`);
}

const peakRss = (): number => {
  const status = readFileSync(`/proc/${api.child.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
};

/** Reads the whole body counting lines, never holding it. */
async function exportLines(query: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/audit/export?${query}`, { headers: auth });
  expect(res.status).toBe(200);
  let lines = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
  }
  return lines;
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const samples = text.split('\n').filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return samples.reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

beforeAll(async () => {
  db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  await seed();
  auth = {
    Authorization: `Bearer ${await signToken({ secret: JWT_SECRET, subject: 'export-auditor', roles: ['auditor'], ttlSeconds: 600 })}`,
  };
  api = startNode('dist/apps/api/src/main.js', {
    // A capped old space makes V8 collect instead of growing lazily, so RSS reflects what is live;
    // an export that held its rows would die here rather than pass.
    NODE_OPTIONS: '--max-old-space-size=128',
    EVENT_STORE: 'postgres',
    DATABASE_URL,
    DATABASE_SCHEMA: SCHEMA,
    DATA_DIR: dataDir,
    JWT_SECRET,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    METRICS_PORT: '0',
  });
  const listening = await api.waitForLog((l) => l.msg === 'api listening');
  url = String(listening.url).replace('localhost', '127.0.0.1');
}, 90_000);

afterAll(async () => {
  await api?.stop('SIGKILL');
  await db.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(SCHEMA)} CASCADE`);
  await db.end();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('audit export of many records', () => {
  it('stops reading the log when the client disconnects', async () => {
    const before = await metric('audit_export_rows_total');
    const controller = new AbortController();
    const res = await fetch(`${url}/api/v1/audit/export?format=ndjson`, { headers: auth, signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => undefined);
    await waitUntil(
      async () => ((await metric('audit_exports_active')) === 0 ? true : undefined),
      'the export to stop',
    );
    const read = (await metric('audit_export_rows_total')) - before;
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(TOTAL / 2);
  }, 60_000);

  it('keeps peak memory flat whatever the count', async () => {
    const smallEnd = new Date(EPOCH + SMALL * 1000).toISOString();
    expect(await exportLines(`event_type=admin.seeded&end_date=${smallEnd}`)).toBe(SMALL + 1);
    const afterSmall = peakRss();
    expect(await exportLines('event_type=admin.seeded&format=csv')).toBe(TOTAL + 1);
    const afterAll = peakRss();
    expect(afterAll - afterSmall).toBeLessThan(MARGIN_BYTES);
    expect(afterAll).toBeLessThan(CEILING_BYTES);
  }, 300_000);
});
