import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { auditEntry, auditKey, type AuditCloudEvent } from '#audit';
import { auditRecords } from '../audit/audit-log.port.js';
import { SqliteAuditLog } from '../audit/sqlite-audit-log.js';
import { silentLogger } from '../logging/logger.js';
import { streamMessages } from '../../../../test/support/jetstream-messages.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { AuditRelay } from './audit-relay.js';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const RUN = randomUUID().replaceAll('-', '').slice(0, 10);
const streamName = `AUDIT_TEST_${RUN}`;
const subjectPrefix = `audit_test_${RUN}`;
const dir = mkdtempSync(join(tmpdir(), 'audit-relay-'));
const key = auditKey(`audit-relay-${RUN}`.padEnd(32, 'k'));
const audit = new SqliteAuditLog(join(dir, 'audit.sqlite'), key);
let nc: NatsConnection;
let jsm: JetStreamManager;

const start = () =>
  AuditRelay.start({
    servers: NATS_URL,
    audit,
    logger: silentLogger,
    streamName,
    subjectPrefix,
    pollIntervalMs: 20,
    batchSize: 7,
  });

async function append(count: number, eventType: 'auth.login_failed' | 'investigation.started'): Promise<void> {
  for (let i = 0; i < count; i++) {
    await audit.append(
      auditEntry({
        occurredAt: new Date().toISOString(),
        eventType,
        severity: 'medium',
        success: false,
        userId: `user-${i}`,
        resourceType: 'route',
        resourceId: '/api/v1/x',
        message: `record ${i}`,
      }),
    );
  }
}

beforeAll(async () => {
  nc = await connect({ servers: NATS_URL });
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  await jsm.streams.delete(streamName).catch(() => false);
  await nc.close();
  await audit.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit relay to JetStream', () => {
  it('publishes every audit record once, in seq order, as CloudEvents, also across a restart', async () => {
    await append(10, 'auth.login_failed');
    const first = await start();
    await append(5, 'investigation.started');
    await waitUntil(
      async () => ((await first.flushed()) === 15 ? true : undefined),
      'the first relay to publish 15 records',
    );
    await first.stop();
    await append(4, 'auth.login_failed');
    const second = await start();
    await waitUntil(
      async () => ((await second.flushed()) === 19 ? true : undefined),
      'the restarted relay to catch up',
    );
    await second.stop();

    const messages = await streamMessages<AuditCloudEvent>(nc, streamName);
    const stored = [];
    for await (const record of auditRecords(audit)) stored.push(record);
    expect(messages.map((m) => m.event.position)).toEqual(stored.map((r) => r.seq));
    expect(messages.map((m) => m.event.data.hash)).toEqual(stored.map((r) => r.hash));
    expect(messages[0]).toMatchObject({
      subject: `${subjectPrefix}.auth.login_failed`,
      event: {
        specversion: '1.0',
        source: '/cidadao-ai/audit',
        type: 'br.gov.cidadao-ai.audit.auth.login_failed',
        subject: 'route//api/v1/x',
        data: { seq: 1, event_type: 'auth.login_failed', user_id: 'user-0' },
        hashalg: 'hmac-sha256',
        keyid: key.id,
      },
    });
    expect(messages[10]?.subject).toBe(`${subjectPrefix}.investigation.started`);
    expect(new Set(messages.map((m) => m.event.id)).size).toBe(19);
  });
});
