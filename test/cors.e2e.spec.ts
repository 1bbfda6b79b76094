import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ioOnce, openIo } from '../apps/api/src/websocket/testing/io-client.testing.js';
import { connectWs, refusedUpgrade, wsUrl } from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { openSse } from './support/sse-client.js';

const DASHBOARD = 'https://painel.example';
const ELSEWHERE = 'https://elsewhere.example';

describe('a dashboard on another origin (CORS_ORIGINS)', () => {
  let app: EmbeddedApp;
  let id = '';
  beforeAll(async () => {
    app = await startEmbeddedApp({ CORS_ORIGINS: `${DASHBOARD},http://localhost:5173` });
    const res = await fetch(`${app.url}/api/v1/investigations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'Contratos de saúde' }),
    });
    id = ((await res.json()) as { investigation_id: string }).investigation_id;
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('answers the preflight of a POST with a token and an idempotency key', async () => {
    const res = await fetch(`${app.url}/api/v1/investigations`, {
      method: 'OPTIONS',
      headers: {
        Origin: DASHBOARD,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(DASHBOARD);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(
      expect.stringContaining('idempotency-key'),
    );
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('lets an EventSource on the dashboard read the stream and the request id', async () => {
    const sse = await openSse(`${app.url}/api/v1/investigations/stream/${id}`, { headers: { Origin: DASHBOARD } });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('access-control-allow-origin')).toBe(DASHBOARD);
    expect(sse.headers.get('access-control-expose-headers')).toEqual(expect.stringContaining('X-Request-ID'));
    expect(sse.headers.get('access-control-expose-headers')).toEqual(expect.stringContaining('X-Stream-Control'));
    await sse.done;
  });

  it('gives another origin no CORS headers and refuses its WebSocket and Socket.IO connections', async () => {
    const res = await fetch(`${app.url}/api/v1/investigations/${id}`, { headers: { Origin: ELSEWHERE } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(
      await refusedUpgrade(wsUrl(app.url, `/api/v1/ws/investigations/${id}`), { origin: ELSEWHERE }),
    ).toMatchObject({ status: 403, body: expect.stringContaining('ORIGIN_NOT_ALLOWED') });
    const foreign = openIo(`${app.url}/investigations`, { extraHeaders: { Origin: ELSEWHERE } });
    await ioOnce(foreign.socket, 'connect_error');
    foreign.close();

    const allowed = await connectWs(wsUrl(app.url, `/api/v1/ws/investigations/${id}`), { origin: DASHBOARD });
    expect((await allowed.closed).code).toBe(1000);
    const own = openIo(`${app.url}/investigations`, { extraHeaders: { Origin: DASHBOARD } });
    await ioOnce(own.socket, 'connect');
    own.close();
  });
});

describe('without CORS_ORIGINS (default)', () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    app = await startEmbeddedApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('sends no CORS headers: same origin only', async () => {
    const res = await fetch(`${app.url}/health`, { headers: { Origin: DASHBOARD } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
