/**
 * The webhook dispatcher through an outage: one webhook whose receiver answers 503 while
 * 40 streams append WEBHOOK_BENCH_EVENTS (40,000) events, then 204. Prints the heap the
 * dispatcher kept for the backlog (after a GC), the most deliveries it held, and the time
 * and CPU it took to deliver the backlog once the receiver came back, every event once and
 * in order per stream. `node --expose-gc dist/bench/webhooks/webhook-outage.bench.js` after
 * a build; WEBHOOK_PENDING_MAX (10,000) is the window.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { webhookSecretFor, WEBHOOKS_STREAM } from '#audit';
import type { NewEvent } from '#eventsourcing';
import { Metrics, silentLogger, SqliteEventStore, SqliteReadModelStore, WebhookDispatcher } from '#platform';

const EVENTS = Number(process.env.WEBHOOK_BENCH_EVENTS ?? 40_000);
const PENDING_MAX = Number(process.env.WEBHOOK_PENDING_MAX ?? 10_000);
const STREAMS = 40;
const APPEND = 100;

const fact = (type: string, data: unknown): NewEvent => ({
  type,
  data,
  metadata: {
    eventId: randomUUID(),
    commandId: 'bench',
    correlationId: 'bench',
    userId: 'bench',
    occurredAt: new Date().toISOString(),
  },
});

/** A receiver refusing until `healthy`, then checking each stream arrives once and in order. */
function receiver() {
  const last = new Map<string, number>();
  const state = { healthy: false, received: 0, repeated: 0, skipped: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (!state.healthy) return void res.writeHead(503).end();
      const { subject, revision } = JSON.parse(Buffer.concat(chunks).toString()) as {
        subject: string;
        revision: number;
      };
      const before = last.get(subject) ?? 0;
      if (revision <= before) state.repeated += 1;
      else if (revision !== before + 1) state.skipped += 1;
      last.set(subject, Math.max(before, revision));
      state.received += 1;
      res.writeHead(204).end();
    });
  });
  return { server, state };
}

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'webhook-outage-'));
  const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
  const readModels = new SqliteReadModelStore(join(dir, 'read-models.sqlite'));
  const { server, state } = receiver();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const registered = { webhookId: randomUUID(), url, events: [], streams: [], mode: 'structured', registeredBy: 'b' };
  await store.appendToStream(WEBHOOKS_STREAM, [fact('WebhookRegistered', registered)], 'any');
  const metrics = new Metrics();
  const dispatcher = new WebhookDispatcher({
    store,
    readModels,
    logger: silentLogger,
    metrics,
    settings: {
      timeoutMs: 5_000,
      maxConcurrent: 16,
      pendingMax: PENDING_MAX,
      retry: { minDelayMs: 200, maxDelayMs: 1_000, windowMs: 86_400_000 },
      // The receiver is on this machine.
      allowedNetworks: ['127.0.0.1'],
    },
    secretOf: (id) => webhookSecretFor('k'.repeat(32), id),
  });
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let held = 0;
  const sampler = setInterval(() => {
    void metrics.webhookDeliveriesHeld.get().then(({ values }) => (held = Math.max(held, values[0]?.value ?? 0)));
  }, 20);
  dispatcher.start();
  for (let round = 0; round < EVENTS / STREAMS / APPEND; round++)
    for (let s = 0; s < STREAMS; s++)
      await store.appendToStream(
        `investigation-${s}`,
        Array.from({ length: APPEND }, (_, page) => fact('ProgressReported', { page })),
        'any',
      );
  while ((await dispatcher.lags()).get('webhooks') !== 0) await pause(100);
  gc();
  const heapGrowth = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;

  state.healthy = true;
  const started = performance.now();
  const cpu = process.cpuUsage();
  while (state.received < EVENTS) await pause(50);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  console.log(
    `WEBHOOK_PENDING_MAX=${PENDING_MAX}, ${EVENTS} events owed to a receiver down: heap +${heapGrowth.toFixed(1)} MiB, ` +
      `at most ${held} held; back up: delivered in ${seconds.toFixed(1)} s (${cpuSeconds(cpu).toFixed(1)} s CPU), ` +
      `${state.repeated} twice, ${state.skipped} out of order`,
  );
  await dispatcher.stop();
  server.close();
  await readModels.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
