import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectWs, wsUrl, type WsTestClient } from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { ioOnce, openIo } from '../apps/api/src/websocket/testing/io-client.testing.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { waitUntil } from './support/wait-until.js';

/**
 * One address, one user or many callers at once cannot take every stream of a server, and
 * every transport counts: SSE, raw WebSocket and Socket.IO share the same quotas.
 * Clients are told apart by X-Forwarded-For, which TRUST_PROXY=loopback lets the tests set.
 */
let app: EmbeddedApp;
let investigationId = '';
const open: Array<{ close(): unknown }> = [];

const as = async (sub: string, address: string, role: 'analyst' | 'auditor' = 'analyst') => ({
  Authorization: `Bearer ${await app.token(sub, role)}`,
  'X-Forwarded-For': address,
});

interface Attempt {
  readonly status: number;
  readonly headers: Headers;
  /** The refusal's JSON body; null for an open stream. */
  readonly body: unknown;
  /** The open stream's response, held so that it lives as long as the attempt. */
  readonly response: Response;
  close(): void;
}

/**
 * Opens a stream and holds it (its body unread) until closed; a refusal is read whole. The
 * attempt keeps its Response: fetch closes the connection of a Response that is garbage
 * collected with its body unread, which would free the slot behind the test's back.
 */
async function sse(sub: string, address: string, role: 'analyst' | 'auditor' = 'analyst'): Promise<Attempt> {
  const controller = new AbortController();
  const res = await fetch(`${app.url}/api/v1/investigations/stream/${investigationId}`, {
    headers: await as(sub, address, role),
    signal: controller.signal,
  });
  const attempt = {
    status: res.status,
    headers: res.headers,
    body: res.status === 200 ? null : await res.json(),
    response: res,
    close: () => controller.abort(),
  };
  if (res.status === 200) open.push(attempt);
  return attempt;
}

async function ws(sub: string, address: string): Promise<WsTestClient> {
  const client = await connectWs(wsUrl(app.url, `/api/v1/ws/investigations/${investigationId}`), {
    headers: await as(sub, address),
  });
  open.push({ close: () => client.ws.terminate() });
  return client;
}

beforeAll(async () => {
  app = await startEmbeddedApp({
    JWT_SECRET: 'stream-quota-secret-stream-quota-secret',
    TRUST_PROXY: 'loopback',
    MAX_CONCURRENT_STREAMS: '8',
    MAX_STREAMS_PER_IP: '3',
    MAX_STREAMS_PER_USER: '4',
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_PER_MINUTE_IP: '0',
    INVESTIGATION_STEP_DELAY_MS: '60000',
  });
  const res = await fetch(`${app.url}/api/v1/investigations`, {
    method: 'POST',
    headers: { ...(await as('eve', '10.0.0.1')), 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: 'contratos de saúde' }),
  });
  investigationId = ((await res.json()) as { investigation_id: string }).investigation_id;
});

afterAll(async () => {
  for (const stream of open) stream.close();
  await app?.stop();
});

describe('stream quotas', () => {
  it('stops one address at MAX_STREAMS_PER_IP across SSE and WebSocket, with 429 and close 1013', async () => {
    expect((await sse('eve', '10.0.0.1')).status).toBe(200);
    expect((await sse('eve', '10.0.0.1')).status).toBe(200);
    await ws('eve', '10.0.0.1');
    const refused = await sse('eve', '10.0.0.1');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.body).toMatchObject({
      error_code: 'TOO_MANY_STREAMS',
      message: expect.stringContaining('MAX_STREAMS_PER_IP'),
    });
    const socket = await ws('eve', '10.0.0.1');
    const closed = await socket.closed;
    expect(closed.code).toBe(1013);
    expect(socket.messages[0]).toMatchObject({ type: 'error', error_code: 'TOO_MANY_STREAMS' });
  });

  it('stops one user at MAX_STREAMS_PER_USER wherever they connect from, Socket.IO included', async () => {
    expect((await sse('eve', '10.0.0.2')).status).toBe(200);
    const refused = await sse('eve', '10.0.0.3');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      error_code: 'TOO_MANY_STREAMS',
      message: expect.stringContaining('MAX_STREAMS_PER_USER'),
    });
    const io = openIo(`${app.url}/investigations`, {
      auth: { token: await app.token('eve', 'analyst') },
      extraHeaders: { 'X-Forwarded-For': '10.0.0.4' },
    });
    open.push(io);
    const [error] = (await ioOnce(io.socket, 'connect_error')) as [
      Error & { data?: { error_code?: string; close_code?: number } },
    ];
    expect(error.data).toMatchObject({ error_code: 'TOO_MANY_STREAMS', close_code: 1013 });
  });

  it('keeps serving everyone else until the server is full, then answers 503, and frees slots as streams close', async () => {
    // Four held by eve; four auditors elsewhere fill MAX_CONCURRENT_STREAMS.
    const others: Attempt[] = [];
    for (const [sub, address] of [
      ['ana', '10.0.1.1'],
      ['bob', '10.0.1.2'],
      ['carla', '10.0.1.3'],
      ['dora', '10.0.1.4'],
    ] as const)
      others.push(await sse(sub, address, 'auditor'));
    expect(others.map((s) => s.status)).toEqual([200, 200, 200, 200]);
    const full = await sse('fred', '10.0.2.1', 'auditor');
    expect(full.status).toBe(503);
    expect(full.body).toMatchObject({ error_code: 'TOO_MANY_STREAMS' });
    others[0]?.close();
    const next = await waitUntil(async () => {
      const session = await sse('gil', '10.0.2.2', 'auditor');
      if (session.status === 200) return session;
      session.close();
      return undefined;
    }, 'a freed slot');
    expect(next.status).toBe(200);
  });
});
