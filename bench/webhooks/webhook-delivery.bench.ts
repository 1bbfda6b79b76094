/**
 * The webhook dispatcher's throughput: a store of S streams × E events, one webhook
 * registered before them, delivered to a local receiver answering 204, timed until the
 * receiver has every event. Two shapes: many streams (requests in parallel up to
 * WEBHOOK_MAX_CONCURRENT) and one stream (strictly one request at a time, its order kept).
 * `npm run bench:webhooks`; WEBHOOK_BENCH_EVENTS (4000) sets the size.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { webhookSecretFor, WEBHOOKS_STREAM } from '#audit';
import type { NewEvent } from '#eventsourcing';
import { silentLogger, SqliteEventStore, SqliteReadModelStore, WebhookDispatcher } from '#platform';

const EVENTS = Number(process.env.WEBHOOK_BENCH_EVENTS ?? 4000);
const CONCURRENCY = Number(process.env.WEBHOOK_MAX_CONCURRENT ?? 16);
const PENDING_MAX = Number(process.env.WEBHOOK_PENDING_MAX ?? 10_000);

const event = (type: string, data: unknown): NewEvent => ({
  type,
  data,
  metadata: {
    eventId: randomUUID(),
    commandId: randomUUID(),
    correlationId: randomUUID(),
    userId: 'bench',
    occurredAt: new Date().toISOString(),
  },
});

async function run(streams: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-bench-'));
  const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
  const readModels = new SqliteReadModelStore(join(dir, 'read-models.sqlite'));
  let received = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(204).end();
      if (++received === EVENTS) done();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const webhookId = randomUUID();
  const registered = { webhookId, url, events: [], streams: [], mode: 'structured', registeredBy: 'bench' };
  await store.appendToStream(WEBHOOKS_STREAM, [event('WebhookRegistered', registered)], 'any');
  const perStream = EVENTS / streams;
  for (let s = 0; s < streams; s++)
    await store.appendToStream(
      `investigation-${randomUUID()}`,
      Array.from({ length: perStream }, (_, page) => event('ProgressReported', { page, progress: page % 100 })),
      'no_stream',
    );
  const dispatcher = new WebhookDispatcher({
    store,
    readModels,
    logger: silentLogger,
    settings: {
      timeoutMs: 10_000,
      maxConcurrent: CONCURRENCY,
      pendingMax: PENDING_MAX,
      retry: { minDelayMs: 100, maxDelayMs: 1_000, windowMs: 86_400_000 },
      // The receiver is on this machine.
      allowedNetworks: ['127.0.0.1'],
    },
    secretOf: (id) => webhookSecretFor('k'.repeat(32), id),
  });
  const rss = process.memoryUsage().rss;
  const started = performance.now();
  dispatcher.start();
  await all;
  const seconds = (performance.now() - started) / 1000;
  await dispatcher.stop();
  console.log(
    `${streams} stream(s) × ${perStream} events, WEBHOOK_MAX_CONCURRENT=${CONCURRENCY}, WEBHOOK_PENDING_MAX=${PENDING_MAX}: ${EVENTS} delivered in ${seconds.toFixed(2)} s, ` +
      `${Math.round(EVENTS / seconds)} events/s, RSS +${((process.memoryUsage().rss - rss) / 2 ** 20).toFixed(1)} MiB`,
  );
  server.close();
  await readModels.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  await run(100);
  await run(1);
}

await main();
