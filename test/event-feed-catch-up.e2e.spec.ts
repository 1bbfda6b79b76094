import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { SseParser } from '#client';
import type { NewEvent } from '#eventsourcing';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';

/** About 10 MB of SSE: far beyond SSE_BUFFER_SIZE and the socket buffers. */
const BACKLOG = 20_000;

let app: EmbeddedApp;

const anomaly = (i: number): NewEvent => ({
  type: 'AnomalyDetected',
  data: {
    anomalyId: `a-${i}`,
    score: 0.91,
    description: 'Valor 340% acima da mediana para o mesmo objeto e órgão comprador',
    vendor: '12.345.678/0001-90',
  },
  metadata: {
    eventId: randomUUID(),
    commandId: 'seed',
    correlationId: 'seed',
    userId: 'seed',
    occurredAt: new Date().toISOString(),
  },
});

beforeAll(async () => {
  app = await startEmbeddedApp({ AUTH_REQUIRED: 'true' });
  for (let s = 0; s < BACKLOG / 500; s++) {
    await app.runtime.store.appendToStream(
      `investigation-${randomUUID()}`,
      Array.from({ length: 500 }, (_, i) => anomaly(s * 500 + i)),
      'no_stream',
    );
  }
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

/** Reads the feed in one response until `count` frames, returning their ids. */
async function readFeed(count: number, encoding: string): Promise<number[]> {
  const controller = new AbortController();
  const res = await fetch(`${app.url}/api/v1/events/stream`, {
    headers: { Authorization: `Bearer ${await app.token('siem', 'auditor')}`, 'Accept-Encoding': encoding },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const ids: number[] = [];
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    for (const event of parser.push(decoder.decode(chunk, { stream: true })).events) ids.push(Number(event.id));
    if (ids.length >= count) break;
  }
  controller.abort();
  return ids;
}

describe('downstream feed catching up on a large backlog', () => {
  it.each(['identity', 'gzip'])(
    'paces history to the client instead of cutting it off (%s)',
    async (encoding) => {
      const positions = (await app.runtime.store.readAll({ maxCount: BACKLOG })).map((e) => e.position);
      const ids = await readFeed(BACKLOG, encoding);
      // One response, every event once and in order: no overflow, no reconnect.
      expect(ids).toEqual(positions);
    },
    120_000,
  );
});
