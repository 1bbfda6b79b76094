import { auditKey } from '#audit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { setTimeout as pause } from 'node:timers/promises';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { auditEntry, type AuditCloudEvent, type AuditRecord, type CloudEvent } from '#audit';
import { AuditLogUnavailableError } from '../audit/audit-log.errors.js';
import { auditRecords } from '../audit/audit-log.port.js';
import { PostgresAuditLog } from '../audit/postgres-audit-log.js';
import { newEvents, newStreamId } from '#eventsourcing/testing';
import { EventStoreUnavailableError } from '#eventsourcing';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import { silentLogger } from '../logging/logger.js';
import { streamMessages } from '../../../../test/support/jetstream-messages.js';
import {
  createScratchDatabase,
  terminateBackends,
  type ScratchDatabase,
} from '../../../../test/support/postgres-faults.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { AuditRelay } from './audit-relay.js';
import { EventRelay } from './event-relay.js';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const RUN = randomUUID().replaceAll('-', '').slice(0, 10);
const target = (kind: string) => ({
  streamName: `${kind}_OUTAGE_${RUN}`,
  subjectPrefix: `${kind.toLowerCase()}_outage_${RUN}`,
});
const events = target('EVENTS');
const audits = target('AUDIT');

let database: ScratchDatabase;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  database = await createScratchDatabase('relay_outage');
  nc = await connect({ servers: NATS_URL });
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  for (const { streamName } of [events, audits]) await jsm.streams.delete(streamName).catch(() => false);
  await nc.close();
  await database.drop();
});

const isOutage = (error: unknown): boolean =>
  error instanceof EventStoreUnavailableError || error instanceof AuditLogUnavailableError;

/** Retries what an outage refused, as a caller would; an append whose commit went through is not repeated. */
async function persistently(
  work: () => Promise<unknown>,
  committed: () => Promise<boolean> = async () => false,
): Promise<void> {
  for (;;) {
    try {
      await work();
      return;
    } catch (error) {
      if (!isOutage(error)) throw error;
      await pause(50);
      if (await committed().catch(() => false)) return;
    }
  }
}

describe('event and audit relays while PostgreSQL drops and refuses connections', () => {
  it('publish every event and every audit record once, in order, across the faults', async () => {
    const store = await PostgresEventStore.open({
      connectionString: database.url,
      schema: 'relay',
      pollIntervalMs: 200,
    });
    const audit = await PostgresAuditLog.open({
      connectionString: database.url,
      schema: 'relay',
      key: auditKey('relay-outage-int-spec-key-'.padEnd(40, 'x')),
    });
    const eventRelay = await EventRelay.start({
      servers: NATS_URL,
      store,
      logger: silentLogger,
      ...events,
      batchSize: 7,
    });
    const auditRelay = await AuditRelay.start({
      servers: NATS_URL,
      audit,
      logger: silentLogger,
      ...audits,
      pollIntervalMs: 20,
      batchSize: 7,
    });
    const streamId = newStreamId('investigation');
    let revision = 0;
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing || i < 40; i++) {
        const batch = newEvents(3, 'AnomalyDetected');
        const lastId = batch.at(-1)?.metadata.eventId;
        await persistently(
          () => store.appendToStream(streamId, batch, revision),
          async () =>
            (await store.readStream(streamId, { after: revision })).some((event) => event.metadata.eventId === lastId),
        );
        revision += 3;
        await persistently(() =>
          audit.append(
            auditEntry({
              occurredAt: new Date().toISOString(),
              eventType: 'data_source.called',
              severity: 'low',
              success: true,
              message: `page ${i}`,
            }),
          ),
        );
      }
    })();
    try {
      for (let fault = 0; fault < 2; fault++) {
        const before = revision;
        await waitUntil(() => (revision >= before + 15 ? true : undefined), 'appends to go on between faults');
        expect(await terminateBackends({ database: database.name })).toBeGreaterThan(0);
      }
      await database.refuse();
      await waitUntil(
        async () =>
          (await audit.ping().then(
            () => false,
            () => true,
          ))
            ? true
            : undefined,
        'the audit log to report the refusal',
      );
      await database.accept();
      writing = false;
      await writer;

      await waitUntil(
        async () => ((await eventRelay.flushed()) === (await store.headPosition()) ? true : undefined),
        'the event relay to catch up',
        30_000,
      );
      const records: AuditRecord[] = [];
      for await (const record of auditRecords(audit)) records.push(record);
      await waitUntil(
        async () => ((await auditRelay.flushed()) === records.at(-1)?.seq ? true : undefined),
        'the audit relay to catch up',
        30_000,
      );

      const published = await streamMessages<CloudEvent>(nc, events.streamName);
      const stored = await store.readAll();
      expect(published.map((m) => m.event.id)).toEqual(stored.map((e) => e.metadata.eventId));
      const publishedAudit = await streamMessages<AuditCloudEvent>(nc, audits.streamName);
      expect(publishedAudit.map((m) => m.event.data.hash)).toEqual(records.map((r) => r.hash));
    } finally {
      writing = false;
      await writer.catch(() => undefined);
      await Promise.all([eventRelay.stop(), auditRelay.stop()]);
      await Promise.all([store.close(), audit.close()]);
    }
  }, 60_000);
});
