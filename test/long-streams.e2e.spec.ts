import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CidadaoClient } from '#client';
import { connectWs, wsUrl } from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { openRawSse } from './support/raw-sse-client.js';
import { openSse } from './support/sse-client.js';
import { waitUntil } from './support/wait-until.js';
import { startInvestigationAt } from './support/start-investigation.js';

const TERMINAL = new Set(['complete', 'error', 'cancelled']);

const startInvestigation = (app: EmbeddedApp): Promise<string> => startInvestigationAt(app.url);

const statusOf = async (app: EmbeddedApp, id: string): Promise<string> =>
  ((await (await fetch(`${app.url}/api/v1/investigations/${id}`)).json()) as { status: string }).status;

/**
 * Histories far larger than SSE_BUFFER_SIZE (64 KiB): the stream must pace them to the
 * client instead of writing them at once and cutting the client off.
 */
describe('a finished investigation whose history is far over SSE_BUFFER_SIZE', () => {
  let app: EmbeddedApp;
  let id = '';
  let ids: string[] = [];

  beforeAll(async () => {
    app = await startEmbeddedApp({ SYNTHETIC_CONTRACTS: '20000', INVESTIGATION_PAGE_SIZE: '100' });
    id = await startInvestigation(app);
    await waitUntil(
      async () => ((await statusOf(app, id)) === 'completed' ? true : undefined),
      'the investigation to complete',
      60_000,
    );
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
  });

  it('streams every event to a plain SSE reader, which the history confirms', async () => {
    const session = await openRawSse(`${app.url}/api/v1/investigations/stream/${id}`);
    const frames = await session.done;
    expect(session.wireBytes()).toBeGreaterThan(65536);
    expect(frames.at(-1)?.data.type).toBe('complete');
    ids = frames.map((f) => String(f.id));
    const history = (await (await fetch(`${app.url}/api/v1/investigations/${id}/events`)).json()) as {
      events: Array<{ id: number }>;
    };
    expect(history.events.length).toBeGreaterThanOrEqual(ids.length);
    const stored = new Set(history.events.map((e) => String(e.id)));
    expect(ids.every((i) => stored.has(i))).toBe(true);
    expect(ids).toEqual([...ids].sort((a, b) => Number(a) - Number(b)));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resumes after Last-Event-ID 100 with exactly the rest, gzip or not', async () => {
    const rest = ids.filter((i) => Number(i) > 100);
    const plain = await (
      await openRawSse(`${app.url}/api/v1/investigations/stream/${id}`, { 'Last-Event-ID': '100' })
    ).done;
    expect(plain.map((f) => String(f.id))).toEqual(rest);
    const gzip = await openRawSse(`${app.url}/api/v1/investigations/stream/${id}?last_event_id=100`, {
      'Accept-Encoding': 'gzip',
    });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect((await gzip.done).map((f) => String(f.id))).toEqual(rest);
  });

  it('delivers the whole history to the typed client, and to a replay at 1000x', async () => {
    const client = new CidadaoClient({ baseUrl: app.url });
    const received: string[] = [];
    for await (const message of client.investigationEvents(id, { maxAttempts: 1 })) received.push(String(message.id));
    expect(received).toEqual(ids);
    const replay = await (await openSse(`${app.url}/api/v1/investigations/${id}/replay?speed=1000`)).done;
    expect(replay.map((f) => String(f.id))).toEqual(ids);
  });

  it('writes the JSON history as one document a page at a time', async () => {
    const res = await fetch(`${app.url}/api/v1/investigations/${id}/events`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { investigation_id: string; events: Array<{ id: number; type: string }> };
    expect(body.investigation_id).toBe(id);
    expect(body.events.map((e) => e.id)).toEqual(body.events.map((_, i) => i + 1));
    expect(body.events.at(-1)?.type).toBe('InvestigationCompleted');
  });
});

describe('a client that resumes past the end of a running investigation', () => {
  let app: EmbeddedApp;

  beforeAll(async () => {
    app = await startEmbeddedApp({
      SYNTHETIC_CONTRACTS: '2000',
      INVESTIGATION_PAGE_SIZE: '100',
      INVESTIGATION_STEP_DELAY_MS: '50',
    });
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('is told the end: SSE and WebSocket streams close once the investigation finishes', async () => {
    const id = await startInvestigation(app);
    await waitUntil(
      async () => ((await statusOf(app, id)) === 'running' ? true : undefined),
      'the investigation to run',
    );
    const sse = await openSse(`${app.url}/api/v1/investigations/stream/${id}`, {
      headers: { 'Last-Event-ID': '1000' },
    });
    const ws = await connectWs(wsUrl(app.url, `/api/v1/ws/investigations/${id}?last_event_id=1000`));
    expect(sse.status).toBe(200);
    expect(await sse.done).toEqual([]);
    expect(await statusOf(app, id)).toBe('completed');
    const closed = await ws.closed;
    expect(closed.code).toBe(1000);
    expect(ws.messages.filter((m) => TERMINAL.has(String(m.type)))).toEqual([]);
  }, 60_000);

  it('refuses event ids that are not plain decimal numbers', async () => {
    const id = await startInvestigation(app);
    for (const bad of ['+5', '0x10', '-0', '1e3', '5 ', '１']) {
      const viaQuery = await fetch(
        `${app.url}/api/v1/investigations/stream/${id}?last_event_id=${encodeURIComponent(bad)}`,
      );
      expect({ bad, status: viaQuery.status }).toEqual({ bad, status: 400 });
      expect(await viaQuery.json()).toMatchObject({ error_code: 'VALIDATION_ERROR' });
    }
    for (const bad of ['+5', '0x10', '-0']) {
      const viaHeader = await fetch(`${app.url}/api/v1/investigations/stream/${id}`, {
        headers: { 'Last-Event-ID': bad },
      });
      expect({ bad, status: viaHeader.status }).toEqual({ bad, status: 400 });
      await viaHeader.body?.cancel();
    }
  });
});
