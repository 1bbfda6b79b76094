import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { auditEntry, auditKeyring, verifyAuditChain, type AuditRecord } from '#audit';
import {
  createScratchDatabase,
  DATABASE_URL,
  holdAdvisoryLock,
  terminateBackends,
  waitForLockWaiters,
  withAdmin,
  type ScratchDatabase,
} from '../../../../test/support/postgres-faults.js';
import { AuditLogUnavailableError } from './audit-log.errors.js';
import { auditRecords } from './audit-log.port.js';
import { PostgresAuditLog } from './postgres-audit-log.js';

const schemas: string[] = [];
const databases: ScratchDatabase[] = [];
const RING = auditKeyring('audit-outage-int-spec-key-'.padEnd(40, 'x'));

async function* none(): AsyncGenerator<never> {}
/** The chain alone: these tests write no checkpoints. */
const verifyChain = (records: AsyncIterable<AuditRecord>) => verifyAuditChain(records, none(), RING, null);

afterAll(async () => {
  await withAdmin(async (admin) => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  });
  for (const database of databases) await database.drop();
});

async function openLog(connectionString = DATABASE_URL): Promise<{ log: PostgresAuditLog; schema: string }> {
  const schema = `audit_outage_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return { log: await PostgresAuditLog.open({ connectionString, schema, key: RING.current }), schema };
}

const entry = (i: number) =>
  auditEntry({
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    eventType: 'auth.login_failed',
    severity: 'medium',
    success: false,
    userId: `user-${i}`,
    message: `record ${i}`,
  });

async function appendMany(log: PostgresAuditLog, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) await log.append(entry(i));
}

/** The same key the log computes for its append lock. */
const appendLockKey = (schema: string): string =>
  createHash('sha256').update(`audit-log:append:${schema}`).digest().readBigInt64BE(0).toString();

describe('postgres audit log when the server drops its connections', () => {
  it('carries a cursor read (the export) across a terminated connection: every record once, in order', async () => {
    const database = await createScratchDatabase('audit_cursor');
    databases.push(database);
    const { log } = await openLog(database.url);
    try {
      await appendMany(log, 0, 50);
      const read: AuditRecord[] = [];
      let terminated = 0;
      for await (const batch of log.read({}, 10)) {
        read.push(...batch);
        // Mid-walk: the cursor's connection is checked out and idle between two FETCHes.
        if (read.length === 20) terminated = await terminateBackends({ database: database.name });
      }
      expect(terminated).toBeGreaterThan(0);
      expect(read.map((record) => record.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect((await verifyChain(auditRecords(log, {}, 7))).valid).toBe(true);
    } finally {
      await log.close();
    }
  });

  it('fails appends cut off mid-transaction as unavailable and chains on after them', async () => {
    const { log, schema } = await openLog();
    try {
      await appendMany(log, 0, 3);
      const lock = await holdAdvisoryLock(appendLockKey(schema));
      const blocked = [3, 4].map((i) =>
        log.append(entry(i)).then(
          () => 'appended',
          (error: unknown) => error,
        ),
      );
      await waitForLockWaiters({ applicationNames: [`audit-log-${schema}`] }, 2);
      await terminateBackends({ applicationNames: [`audit-log-${schema}`] });
      for (const outcome of await Promise.all(blocked)) expect(outcome).toBeInstanceOf(AuditLogUnavailableError);
      await lock.release();

      await appendMany(log, 5, 3);
      const records: AuditRecord[] = [];
      for await (const record of auditRecords(log)) records.push(record);
      expect(records.map((record) => record.message)).toEqual([
        'record 0',
        'record 1',
        'record 2',
        'record 5',
        'record 6',
        'record 7',
      ]);
      expect((await verifyChain(auditRecords(log))).valid).toBe(true);
    } finally {
      await log.close();
    }
  });

  it('answers unavailable while the database refuses connections, and again normally after', async () => {
    const database = await createScratchDatabase('audit_refuse');
    databases.push(database);
    const { log } = await openLog(database.url);
    try {
      await appendMany(log, 0, 2);
      await database.refuse();
      await expect(log.append(entry(2))).rejects.toBeInstanceOf(AuditLogUnavailableError);
      await expect(log.ping()).rejects.toBeInstanceOf(AuditLogUnavailableError);
      await expect(log.read().next()).rejects.toBeInstanceOf(AuditLogUnavailableError);
      await database.accept();
      await appendMany(log, 3, 1);
      const records: AuditRecord[] = [];
      for await (const record of auditRecords(log)) records.push(record);
      expect(records.map((record) => record.message)).toEqual(['record 0', 'record 1', 'record 3']);
    } finally {
      await log.close();
    }
  });
});
