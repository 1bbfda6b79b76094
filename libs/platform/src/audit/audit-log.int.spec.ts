import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  auditEntry,
  auditKeyring,
  verifyAuditChain,
  type AuditEntry,
  type AuditFilter,
  type AuditRecord,
} from '#audit';
import { auditRecords, type AuditLog } from './audit-log.port.js';
import { PostgresAuditLog } from './postgres-audit-log.js';
import { SqliteAuditLog } from './sqlite-audit-log.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RING = auditKeyring('audit-log-int-spec-key-'.padEnd(40, 'x'));
const KEY = RING.current;
const schemas: string[] = [];

async function* none(): AsyncGenerator<never> {}
/** The chain alone: these tests write no checkpoints. */
const verifyChain = (log: AuditLog, batchSize?: number) =>
  verifyAuditChain(auditRecords(log, {}, batchSize), none(), RING, null);
const dirs: string[] = [];

interface Opened {
  readonly log: AuditLog;
  /** Another handle on the same log, as a second process would have. */
  readonly second: () => Promise<AuditLog>;
}

const adapters: Array<[string, () => Promise<Opened>]> = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'audit-log-'));
      dirs.push(dir);
      const file = join(dir, 'audit.sqlite');
      return { log: new SqliteAuditLog(file, KEY), second: async () => new SqliteAuditLog(file, KEY) };
    },
  ],
  [
    'postgres',
    async () => {
      const schema = `audit_log_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      schemas.push(schema);
      const open = () => PostgresAuditLog.open({ connectionString: DATABASE_URL, schema, key: KEY });
      return { log: await open(), second: open };
    },
  ],
];

afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  await client.end();
});

const at = (minute: number): string => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

/** 30 records, one a minute, in three types, two severities and three users. */
function entries(): AuditEntry[] {
  const types = ['auth.login_failed', 'auth.login_succeeded', 'investigation.started'] as const;
  return Array.from({ length: 30 }, (_, i) =>
    auditEntry({
      occurredAt: at(i),
      eventType: types[i % 3] ?? 'auth.login_failed',
      severity: i % 2 === 0 ? 'low' : 'high',
      success: i % 3 !== 0,
      userId: `user-${i % 3}`,
      message: `record ${i}`,
    }),
  );
}

async function all(log: AuditLog, filter: AuditFilter = {}, batchSize = 7): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for await (const batch of log.read(filter, batchSize)) {
    expect(batch.length).toBeLessThanOrEqual(batchSize);
    records.push(...batch);
  }
  return records;
}

describe.each(adapters)('%s audit log', (_name, open) => {
  it('chains appends and reads them back in batches, filtered as the export asks', async () => {
    const { log } = await open();
    for (const entry of entries()) await log.append(entry);
    expect((await verifyChain(log, 4)).valid).toBe(true);
    expect((await all(log)).map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect((await all(log, { eventType: 'auth.' })).every((r) => r.eventType.startsWith('auth.'))).toBe(true);
    expect(await all(log, { eventType: 'auth.' })).toHaveLength(20);
    // `_` is a plain character in a prefix, not a wildcard.
    expect(await all(log, { eventType: 'auth.login_f' })).toHaveLength(10);
    expect(await all(log, { severity: 'high', userId: 'user-1' })).toHaveLength(5);
    expect((await all(log, { startDate: at(10), endDate: at(19) })).map((r) => r.message)).toEqual(
      Array.from({ length: 10 }, (_, i) => `record ${i + 10}`),
    );
    const [first] = await all(log, { userId: 'user-0' }, 1);
    expect(first).toMatchObject({ seq: 1, success: false, ip: null, message: 'record 0', keyId: KEY.id });
    await log.close();
  });

  it('keeps one linear chain when two handles append at once', async () => {
    const { log, second } = await open();
    const other = await second();
    await Promise.all(entries().map((entry, i) => (i % 2 === 0 ? log : other).append(entry)));
    const verdict = await verifyChain(log);
    expect(verdict).toMatchObject({ valid: true, checked: 30, firstBroken: null });
    await Promise.all([log.close(), other.close()]);
  });

  it('records a fact named by a dedupe key once, however often and from however many handles it is appended', async () => {
    const { log, second } = await open();
    const other = await second();
    const [done] = entries();
    const fact = { ...(done as AuditEntry), eventType: 'investigation.completed' as const };
    const first = await log.append(fact, { dedupeKey: 'investigation.completed:inv-1' });
    const again = await Promise.all(
      [log, other, log, other].map((handle) =>
        handle.append({ ...fact, message: 'retried' }, { dedupeKey: 'investigation.completed:inv-1' }),
      ),
    );
    expect(again).toEqual([first, first, first, first]);
    await log.append(fact, { dedupeKey: 'investigation.completed:inv-2' });
    await log.append(fact);
    await log.append(fact);
    expect((await all(log)).map((r) => r.message)).toEqual([fact.message, fact.message, fact.message, fact.message]);
    expect((await verifyChain(log)).valid).toBe(true);
    await Promise.all([log.close(), other.close()]);
  });

  it('releases the cursor when a reader stops early, so readers never run out of connections', async () => {
    const { log } = await open();
    for (const entry of entries()) await log.append(entry);
    // More early exits than the PostgreSQL pool has connections (10).
    for (let n = 0; n < 25; n++) {
      for await (const batch of log.read({}, 2)) {
        expect(batch).toHaveLength(2);
        break;
      }
    }
    // Appends keep working while a read is open (SQLite: no statement held across awaits).
    const reader = log.read({}, 5);
    await reader.next();
    await log.append(
      auditEntry({
        occurredAt: at(40),
        eventType: 'audit.exported',
        severity: 'medium',
        success: true,
        message: 'during a read',
      }),
    );
    await reader.return(undefined);
    expect(await all(log)).toHaveLength(31);
    await log.close();
  });
});
