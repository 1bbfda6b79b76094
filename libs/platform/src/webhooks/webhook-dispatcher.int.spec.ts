import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { webhookSecretFor, WEBHOOKS_STREAM, type WebhookEvent } from '#audit';
import type { NewEvent } from '#eventsourcing';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { WebhookReceiver } from '../../../../test/support/webhook-receiver.js';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import { silentLogger } from '../logging/logger.js';
import { PostgresReadModelStore } from '../read-models/postgres-read-model-store.js';
import { ProjectorLeases } from '../read-models/projector-leases.js';
import { scratchSpace, TEST_DATABASE_URL } from '../read-models/read-models.testing.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

const scratch = scratchSpace('webhook_lease');
afterAll(() => scratch.dispose());

const KEY = 'k'.repeat(32);
const settings = {
  timeoutMs: 2_000,
  maxConcurrent: 4,
  retry: { minDelayMs: 20, maxDelayMs: 100, windowMs: 24 * 3_600_000 },
};

const stored = (type: string, data: unknown): NewEvent => ({
  type,
  data,
  metadata: {
    eventId: randomUUID(),
    commandId: randomUUID(),
    correlationId: 'c',
    userId: 'root',
    occurredAt: new Date().toISOString(),
  },
});
const registration = (webhookId: string, url: string): NewEvent =>
  stored('WebhookRegistered', {
    webhookId,
    url,
    events: ['investigation.*'],
    streams: [],
    mode: 'structured',
    registeredBy: 'root',
  } satisfies Extract<WebhookEvent, { type: 'WebhookRegistered' }>['data']);
const progress = (n: number) => Array.from({ length: n }, (_, i) => stored('InvestigationProgressed', { step: i }));

describe('webhook dispatcher among distributed workers', () => {
  it('runs in one worker at a time: every event delivered once, also when the lease moves', async () => {
    const schema = scratch.schema();
    const store = await PostgresEventStore.open({ connectionString: TEST_DATABASE_URL, schema, pollIntervalMs: 100 });
    const readModels = await PostgresReadModelStore.open({ connectionString: TEST_DATABASE_URL, schema });
    const receiver = await WebhookReceiver.start('accept');
    const workers = [0, 1].map(() => {
      const dispatcher = new WebhookDispatcher({
        store,
        readModels,
        logger: silentLogger,
        settings,
        secretOf: (id) => webhookSecretFor(KEY, id),
      });
      const leases = new ProjectorLeases({
        connectionString: TEST_DATABASE_URL,
        schema,
        projectors: [dispatcher],
        logger: silentLogger,
        retryMs: 100,
      });
      return { dispatcher, leases };
    });
    try {
      await store.appendToStream('investigation-before', progress(2), 'no_stream');
      await store.appendToStream(WEBHOOKS_STREAM, [registration(randomUUID(), receiver.url)], 'any');
      for (const worker of workers) worker.leases.start();
      await store.appendToStream('investigation-a', progress(5), 'no_stream');
      await store.appendToStream('chat-a', progress(3), 'no_stream');
      await store.appendToStream('investigation-b', progress(5), 'no_stream');
      const holder = await waitUntil(() => workers.find((w) => w.leases.running.length > 0), 'a lease holder');
      const other = workers.find((w) => w !== holder);
      expect(other?.leases.running).toEqual([]);
      await waitUntil(() => (receiver.accepted.length >= 10 ? true : undefined), 'the first events');

      await holder.leases.stop();
      await store.appendToStream('investigation-a', progress(4), 5);
      await waitUntil(() => (other?.leases.running.length ? true : undefined), 'the other worker to take over');
      await waitUntil(() => (receiver.accepted.length >= 14 ? true : undefined), 'every event');
      const wanted = [
        ...(await store.readStream('investigation-a')),
        ...(await store.readStream('investigation-b')),
      ].map((event) => event.metadata.eventId);
      const ids = receiver.accepted.map((post) => String(post.headers['webhook-id']));
      expect([...ids].sort()).toEqual([...wanted].sort());
      const subjects = receiver.accepted.map((post) => JSON.parse(post.body) as { subject: string; revision: number });
      for (const stream of ['investigation-a', 'investigation-b'])
        expect(subjects.filter((s) => s.subject === stream).map((s) => s.revision)).toEqual(
          (await store.readStream(stream)).map((event) => event.revision),
        );
      expect(await other?.dispatcher.lags()).toEqual(new Map([['webhooks', 0]]));
    } finally {
      await Promise.all(workers.map((w) => w.leases.stop()));
      await receiver.down();
      await readModels.close();
      await store.close();
    }
  }, 30_000);
});
