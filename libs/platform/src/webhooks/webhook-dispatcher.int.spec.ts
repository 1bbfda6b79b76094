import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { webhookSecretFor, WEBHOOKS_STREAM, type WebhookEvent } from '#audit';
import type { EventStore, NewEvent } from '#eventsourcing';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { WebhookReceiver } from '../../../../test/support/webhook-receiver.js';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import { silentLogger } from '../logging/logger.js';
import { Metrics } from '../metrics/metrics.js';
import { PostgresReadModelStore } from '../read-models/postgres-read-model-store.js';
import { ProjectorLeases } from '../read-models/projector-leases.js';
import { scratchSpace, TEST_DATABASE_URL } from '../read-models/read-models.testing.js';
import { WebhookDispatcher, type WebhookDispatcherOptions } from './webhook-dispatcher.js';
import { WebhookSender } from './webhook-sender.js';

const scratch = scratchSpace('webhook_lease');
afterAll(() => scratch.dispose());

const KEY = 'k'.repeat(32);
const settings = {
  timeoutMs: 2_000,
  maxConcurrent: 4,
  pendingMax: 10_000,
  retry: { minDelayMs: 20, maxDelayMs: 100, windowMs: 24 * 3_600_000 },
  // The receivers are on this machine.
  allowedNetworks: ['127.0.0.1'],
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
const registration = (webhookId: string, url: string, streams: string[] = []): NewEvent =>
  stored('WebhookRegistered', {
    webhookId,
    url,
    events: ['investigation.*'],
    streams,
    mode: 'structured',
    registeredBy: 'root',
  } satisfies Extract<WebhookEvent, { type: 'WebhookRegistered' }>['data']);
/** A webhook per [url, stream pattern], registered in one append. */
const register = (store: EventStore, webhooks: ReadonlyArray<readonly [string, string]>) =>
  store.appendToStream(
    WEBHOOKS_STREAM,
    webhooks.map(([url, streams]) => registration(randomUUID(), url, [streams])),
    'any',
  );
const progress = (n: number) => Array.from({ length: n }, (_, i) => stored('InvestigationProgressed', { step: i }));

/** An event store and a read-model store in a schema of their own. */
/** A dispatcher on the test's stores, with the test's settings and key unless `options` say otherwise. */
function dispatcherOn(
  options: Pick<WebhookDispatcherOptions, 'store' | 'readModels'> & Partial<WebhookDispatcherOptions>,
): WebhookDispatcher {
  return new WebhookDispatcher({
    logger: silentLogger,
    settings,
    secretOf: (id) => webhookSecretFor(KEY, id),
    ...options,
  });
}

async function stores() {
  const schema = scratch.schema();
  const store = await PostgresEventStore.open({ connectionString: TEST_DATABASE_URL, schema, pollIntervalMs: 100 });
  const readModels = await PostgresReadModelStore.open({ connectionString: TEST_DATABASE_URL, schema });
  const close = async () => {
    await readModels.close();
    await store.close();
  };
  return { schema, store, readModels, close };
}

describe('webhook dispatcher among distributed workers', () => {
  it('runs in one worker at a time: every event delivered once, also when the lease moves', async () => {
    const { schema, store, readModels, close } = await stores();
    const receiver = await WebhookReceiver.start('accept');
    const workers = [0, 1].map(() => {
      const dispatcher = dispatcherOn({ store, readModels });
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
      await close();
    }
  }, 30_000);
});

/** Each webhook-id once, and each stream's revisions in order, as the store has them. */
async function expectEveryEventOnceInOrder(
  store: EventStore,
  receiver: WebhookReceiver,
  streams: readonly string[],
): Promise<void> {
  const events = (await Promise.all(streams.map((stream) => store.readStream(stream)))).flat();
  const ids = receiver.accepted.map((post) => String(post.headers['webhook-id']));
  expect([...ids].sort()).toEqual(events.map((event) => event.metadata.eventId).sort());
  const subjects = receiver.accepted.map((post) => JSON.parse(post.body) as { subject: string; revision: number });
  for (const stream of streams)
    expect(subjects.filter((s) => s.subject === stream).map((s) => s.revision)).toEqual(
      events.filter((event) => event.streamId === stream).map((event) => event.revision),
    );
}

describe('webhook dispatcher with a receiver that hangs', () => {
  it('delivers to the other webhooks while it hangs, within the process-wide cap, every event once in order', async () => {
    const { store, readModels, close } = await stores();
    const slow = await WebhookReceiver.start('hang');
    const quick = await WebhookReceiver.start('accept');
    let open = 0;
    let peak = 0;
    const sender = new WebhookSender(settings.allowedNetworks);
    const dispatcher = dispatcherOn({
      store,
      readModels,
      // A hung request is given up after 10 s (room for a busy machine): under rounds, the
      // quick receiver would get one event per stream before that; here it gets them all.
      settings: { ...settings, timeoutMs: 10_000, maxConcurrent: 4 },
      send: async (...args) => {
        peak = Math.max(peak, ++open);
        try {
          return await sender.send(...args);
        } finally {
          open -= 1;
        }
      },
    });
    const slowStreams = ['a', 'b', 'c'].map((s) => `investigation-slow-${s}-${randomUUID()}`);
    const quickStreams = ['a', 'b'].map((s) => `investigation-quick-${s}-${randomUUID()}`);
    try {
      await register(store, [
        [slow.url, 'investigation-slow-*'],
        [quick.url, 'investigation-quick-*'],
      ]);
      for (const stream of slowStreams) await store.appendToStream(stream, progress(3), 'no_stream');
      for (const stream of quickStreams) await store.appendToStream(stream, progress(4), 'no_stream');
      dispatcher.start();

      // Three slots go to the slow receiver's streams and stay taken; the fourth carries the
      // quick receiver's eight events one after another.
      await waitUntil(
        () => (quick.accepted.length >= 8 || slow.abandoned > 0 ? true : undefined),
        'the quick receiver to have every event, or the slow one a timeout',
      );
      expect(slow.abandoned).toBe(0);
      expect(slow.held.length).toBeGreaterThan(0);
      expect(quick.accepted).toHaveLength(8);
      await waitUntil(() => (slow.held.length === 3 ? true : undefined), 'a request held on each slow stream');
      expect(slow.accepted).toHaveLength(0);

      slow.release('accept');
      await waitUntil(() => (slow.accepted.length >= 9 ? true : undefined), 'the slow receiver to have every event');
      await waitUntil(async () => ((await dispatcher.lags()).get('webhooks') === 0 ? true : undefined), 'no lag');
      expect(slow.abandoned).toBe(0);
      expect(slow.accepted).toHaveLength(9);
      expect(quick.accepted).toHaveLength(8);
      await expectEveryEventOnceInOrder(store, slow, slowStreams);
      await expectEveryEventOnceInOrder(store, quick, quickStreams);
      expect(peak).toBeLessThanOrEqual(4);
    } finally {
      await Promise.all([slow.down(), quick.down()]);
      await dispatcher.stop();
      sender.close();
      await close();
    }
  }, 30_000);

  it('on stop, waits for the request under way and writes its outcome: nothing is sent twice', async () => {
    const { store, readModels, close } = await stores();
    const receiver = await WebhookReceiver.start('hang');
    const dispatcher = dispatcherOn({ store, readModels });
    const stream = `investigation-${randomUUID()}`;
    try {
      await store.appendToStream(WEBHOOKS_STREAM, [registration(randomUUID(), receiver.url)], 'any');
      await store.appendToStream(stream, progress(2), 'no_stream');
      dispatcher.start();
      await waitUntil(() => (receiver.held.length === 1 ? true : undefined), 'the first request held');
      const stopped = dispatcher.stop();
      receiver.release('accept');
      await stopped;
      expect(receiver.accepted).toHaveLength(1);
      dispatcher.start();
      await waitUntil(() => (receiver.accepted.length >= 2 ? true : undefined), 'both events');
      await waitUntil(async () => ((await dispatcher.lags()).get('webhooks') === 0 ? true : undefined), 'no lag');
      await expectEveryEventOnceInOrder(store, receiver, [stream]);
    } finally {
      await receiver.down();
      await dispatcher.stop();
      await close();
    }
  }, 30_000);
});

describe('webhook dispatcher with a receiver down behind a busy feed', () => {
  it('holds at most WEBHOOK_PENDING_MAX per webhook, loads the rest from the log, and delivers every event once in order', async () => {
    const { store, readModels, close } = await stores();
    const down = await WebhookReceiver.start('fail');
    const up = await WebhookReceiver.start('accept');
    const metrics = new Metrics();
    const cap = 10;
    const dispatcher = dispatcherOn({
      store,
      readModels,
      metrics,
      settings: { ...settings, pendingMax: cap, retry: { ...settings.retry, minDelayMs: 10, maxDelayMs: 50 } },
    });
    const downStreams = ['a', 'b', 'c'].map((s) => `investigation-down-${s}-${randomUUID()}`);
    const upStreams = [`investigation-up-${randomUUID()}`];
    let held = 0;
    const sample = async (): Promise<void> => {
      held = Math.max(held, (await metrics.webhookDeliveriesHeld.get()).values[0]?.value ?? 0);
    };
    const sampler = setInterval(() => void sample(), 2);
    try {
      await register(store, [
        [down.url, 'investigation-down-*'],
        [up.url, 'investigation-up-*'],
      ]);
      dispatcher.start();
      for (let round = 0; round < 4; round++) {
        for (const stream of downStreams) await store.appendToStream(stream, progress(10), 'any');
        await store.appendToStream(upStreams[0] ?? '', progress(10), 'any');
      }
      // The healthy webhook gets all of its own while the other one's 120 wait, 10 at most held.
      await waitUntil(() => (up.accepted.length >= 40 ? true : undefined), 'the healthy receiver to have every event');
      await waitUntil(
        () => (down.posts.length >= 30 ? true : undefined),
        'the receiver down to be tried again and again',
      );
      expect(down.accepted).toHaveLength(0);
      await sample();
      // A restart meanwhile reloads each webhook's window from its log, not every delivery owed.
      await dispatcher.stop();
      dispatcher.start();

      down.release('accept');
      await waitUntil(
        () => (down.accepted.length >= 120 ? true : undefined),
        'the receiver back to have every event',
        60_000,
      );
      await waitUntil(async () => ((await dispatcher.lags()).get('webhooks') === 0 ? true : undefined), 'no lag');
      await sample();
      await expectEveryEventOnceInOrder(store, down, downStreams);
      await expectEveryEventOnceInOrder(store, up, upStreams);
      // The window was full, never more: the receiver down held `cap` deliveries, the other webhook's few beside.
      expect(held).toBeGreaterThanOrEqual(cap);
      expect(held).toBeLessThanOrEqual(2 * cap);
    } finally {
      clearInterval(sampler);
      await Promise.all([down.down(), up.down()]);
      await dispatcher.stop();
      await close();
    }
  }, 90_000);
});
