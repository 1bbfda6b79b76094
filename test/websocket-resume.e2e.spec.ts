import { seededRandom } from './support/seeded-random.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openIo } from '../apps/api/src/websocket/testing/io-client.testing.js';
import {
  openWs,
  wsUrl,
  type WsMessage,
  type WsTestClient,
} from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { openSse, type SseFrame } from './support/sse-client.js';
import { waitUntil } from './support/wait-until.js';

/**
 * Resume on every transport: 100 forced disconnects at random points of a live
 * investigation (200,000 contracts in pages of 20, 10 ms apart: it cannot end by itself
 * before the test cancels it), then the client follows it to its end. What it saw, across
 * all its connections, must be the stream exactly: nothing lost, nothing twice.
 */
const DISCONNECTS = 100;
const SEED = Number(process.env.WS_RESUME_SEED ?? Date.now() % 100_000);

let app: EmbeddedApp;
beforeAll(async () => {
  app = await startEmbeddedApp({
    SYNTHETIC_CONTRACTS: '200000',
    INVESTIGATION_PAGE_SIZE: '20',
    INVESTIGATION_STEP_DELAY_MS: '10',
  });
});
afterAll(async () => {
  await app?.stop();
});

/** The same seed replays the same disconnect points (WS_RESUME_SEED). */
const random = seededRandom;

async function liveInvestigation(): Promise<string> {
  const res = await fetch(`${app.url}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: 'Análise geral de contratos', data_source: 'synthetic' }),
  });
  return ((await res.json()) as { investigation_id: string }).investigation_id;
}

const cancel = (id: string): Promise<Response> =>
  fetch(`${app.url}/api/v1/investigations/${id}/cancel`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  });

async function expectExactlyTheStream(
  id: string,
  seen: ReadonlyArray<{ id: unknown; data: Record<string, unknown> }>,
): Promise<void> {
  const frames: SseFrame[] = await (await openSse(`${app.url}/api/v1/investigations/stream/${id}`)).done;
  const ids = seen.map((m) => Number(m.id));
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).toEqual(frames.map((f) => Number(f.id)));
  expect(seen.map((m) => m.data)).toEqual(frames.map((f) => f.data));
  expect(frames.at(-1)?.data.type).toBe('cancelled');
}

const eventsOf = (client: WsTestClient): WsMessage[] => client.messages.filter((m) => typeof m.id === 'number');

/** Cuts after 0-3 events or 0-15 ms, whichever the dice say; every cut drops the TCP connection. */
async function cutAtRandom(client: WsTestClient, dice: () => number): Promise<void> {
  if (dice() < 0.5) {
    const events = Math.floor(dice() * 4);
    await waitUntil(
      () => (eventsOf(client).length >= events || client.ws.readyState > 1 ? true : undefined),
      `${events} events`,
    );
  } else {
    const ms = Math.floor(dice() * 16);
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
  await client.terminate();
}

/** Reconnects until the stream's end, cutting the first DISCONNECTS connections; returns what the client kept. */
async function followRaw(
  open: (lastId: number) => WsTestClient,
  onCutsDone: () => Promise<unknown>,
  dice: () => number,
): Promise<WsMessage[]> {
  const seen: WsMessage[] = [];
  for (let cuts = 0; ; cuts++) {
    const client = open(Number(seen.at(-1)?.id ?? 0));
    if (cuts < DISCONNECTS) {
      await cutAtRandom(client, dice);
      seen.push(...eventsOf(client));
      continue;
    }
    if (cuts === DISCONNECTS) await onCutsDone();
    await client.waitFor(
      (m) => m.type === 'cancelled' || m.type === 'unsubscribed',
      'the end of the stream',
      0,
      60_000,
    );
    seen.push(...eventsOf(client).filter((m) => m.type !== 'unsubscribed'));
    await client.close();
    return seen;
  }
}

const sseShape = (m: WsMessage): { id: unknown; data: Record<string, unknown> } => {
  const { id, anomaly: _a, stream: _s, ...data } = m;
  return { id, data };
};

describe(`resume after ${DISCONNECTS} forced disconnects at random points (seed ${SEED})`, () => {
  it('/api/v1/ws/investigations/{id} with ?last_event_id=', async () => {
    const id = await liveInvestigation();
    const seen = await followRaw(
      (last) => openWs(wsUrl(app.url, `/api/v1/ws/investigations/${id}?last_event_id=${last}`)),
      () => cancel(id),
      random(SEED),
    );
    await expectExactlyTheStream(id, seen.map(sseShape));
  }, 120_000);

  it('/api/v1/ws with subscribe and last_event_id, through batches', async () => {
    const id = await liveInvestigation();
    const open = (last: number): WsTestClient => {
      const client = openWs(wsUrl(app.url, '/api/v1/ws'));
      client.ws.once('open', () =>
        client.send({ type: 'subscribe', stream: `investigation:${id}`, last_event_id: last }),
      );
      return client;
    };
    const seen = await followRaw(open, () => cancel(id), random(SEED + 1));
    await expectExactlyTheStream(id, seen.map(sseShape));
  }, 120_000);

  it('Socket.IO /investigations with auth.lastEventId on every reconnection', async () => {
    const id = await liveInvestigation();
    const dice = random(SEED + 2);
    const seen: Array<{ id: unknown; data: Record<string, unknown> }> = [];
    let last = 0;
    let reconnections = 0;
    const changed = new Set<() => void>();
    const until = (condition: () => boolean): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (!condition()) return;
          changed.delete(check);
          resolve();
        };
        changed.add(check);
        check();
      });
    const notify = (): void => changed.forEach((check) => check());
    const client = openIo(`${app.url}/investigations`, {
      auth: (cb: (auth: object) => void) => cb({ investigationId: id, lastEventId: last }),
      reconnection: true,
      reconnectionDelay: 1,
      reconnectionDelayMax: 5,
      randomizationFactor: 0,
    });
    try {
      client.socket.onAny((_event: string, payload: WsMessage) => {
        if (typeof payload?.id !== 'number') return;
        last = payload.id;
        seen.push(sseShape(payload));
        notify();
      });
      client.socket.on('connect', notify);
      client.socket.on('disconnect', notify);
      client.socket.io.on('reconnect', () => reconnections++);
      for (let cut = 0; cut < DISCONNECTS; cut++) {
        await until(() => client.socket.connected);
        const before = seen.length;
        const events = Math.floor(dice() * 4);
        await until(() => seen.length - before >= events || !client.socket.connected);
        client.socket.io.engine.close();
      }
      await cancel(id);
      await client.waitFor((event) => event === 'cancelled', 'the end of the stream', 60_000);
      expect(reconnections).toBeGreaterThanOrEqual(DISCONNECTS);
      await expectExactlyTheStream(id, seen);
    } finally {
      client.close();
    }
  }, 120_000);
});
