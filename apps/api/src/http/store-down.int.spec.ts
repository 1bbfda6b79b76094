import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { auditRecords } from '#platform';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../../test/support/postgres-faults.js';
import { openSse } from '../../../../test/support/sse-client.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { openIo } from '../websocket/testing/io-client.testing.js';
import { connectWs, wsUrl } from '../websocket/testing/ws-client.testing.js';

let database: ScratchDatabase;
let app: EmbeddedApp;
let auth: Record<string, string> = {};

beforeAll(async () => {
  database = await createScratchDatabase('api_store_down');
  app = await startEmbeddedApp({ EVENT_STORE: 'postgres', DATABASE_URL: database.url, DATABASE_SCHEMA: 'cidadao' });
  auth = { Authorization: `Bearer ${await app.token('root', 'admin')}` };
}, 60_000);

afterAll(async () => {
  await database?.accept();
  await app?.stop();
  await database?.drop();
});

const request = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${app.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...auth, ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function auditCount(): Promise<number> {
  let count = 0;
  for await (const _ of auditRecords(app.runtime.audit)) count++;
  return count;
}

describe('while PostgreSQL refuses connections (event store and audit log down)', () => {
  it('answers 503 with Retry-After and the dependency, never 500, changes nothing, and recovers', async () => {
    const started = await request('POST', '/api/v1/investigations', {
      query: 'contratos de saúde',
      data_source: 'synthetic',
    });
    const { investigation_id: id } = (await started.json()) as { investigation_id: string };
    await waitUntil(
      async () =>
        ((await (await request('GET', `/api/v1/investigations/${id}`)).json()) as { status: string }).status ===
          'completed' || undefined,
      'the investigation to complete',
    );
    const head = await app.runtime.store.headPosition();
    const audited = await auditCount();

    await database.refuse();
    const storeRoutes: Array<[string, string, unknown?, Record<string, string>?]> = [
      ['GET', `/api/v1/investigations/${id}`],
      ['GET', `/api/v1/investigations/${id}/events`],
      ['GET', `/api/v1/investigations/stream/${id}`],
      ['GET', `/api/v1/investigations/${id}/replay`],
      ['POST', `/api/v1/investigations/${id}/cancel`, {}],
      ['GET', `/api/v1/chat/sessions/${id}`],
      ['GET', `/api/v1/chat/sessions/${id}/stream`],
      ['POST', '/api/v1/investigations', { query: 'de novo' }, { 'Idempotency-Key': 'store-down-1' }],
      ['POST', '/api/v1/chat/stream', { message: 'Olá' }],
      ['POST', '/api/v1/chat/message', { message: 'Olá' }],
      ['POST', '/api/v1/admin/users/ana/revoke-tokens', {}],
    ];
    for (const [method, path, body, headers] of storeRoutes) {
      const res = await request(method, path, body, headers);
      expect({ path, status: res.status, retryAfter: res.headers.get('retry-after') }).toEqual({
        path,
        status: 503,
        retryAfter: '5',
      });
      expect(await res.json()).toEqual({ error_code: 'STORE_UNAVAILABLE', message: expect.any(String) });
    }
    for (const path of ['/api/v1/audit/export?format=ndjson', '/api/v1/audit/verify']) {
      const res = await request('GET', path);
      expect({ path, status: res.status, retryAfter: res.headers.get('retry-after') }).toEqual({
        path,
        status: 503,
        retryAfter: '5',
      });
      // Verification reads the checkpoints in the event store as well as the audit log: either may be named.
      expect(await res.json()).toEqual({
        error_code: path.includes('verify')
          ? expect.stringMatching(/^(AUDIT_LOG|STORE)_UNAVAILABLE$/)
          : 'AUDIT_LOG_UNAVAILABLE',
        message: expect.any(String),
      });
    }
    const socket = await connectWs(wsUrl(app.url, `/api/v1/ws/investigations/${id}`), { headers: auth });
    expect((await socket.closed).code).toBe(1011);
    expect(socket.messages).toEqual([
      { type: 'error', error_code: 'STORE_UNAVAILABLE', message: expect.any(String), retry_after: 5 },
    ]);
    // The all-events feed answers 200 before it reads history: it then ends with an in-stream error.
    const feed = await openSse(`${app.url}/api/v1/events/stream`, { headers: auth });
    expect(feed.status).toBe(200);
    expect((await feed.done).map((frame) => frame.data)).toEqual([
      {
        type: 'error',
        error_code: 'STREAM_FAILED',
        message: expect.any(String),
        fallback_endpoint: '/api/v1/events/stream',
        retry_after: 5,
      },
    ]);
    // Socket.IO: the connection is made (no store needed to authenticate), the watch fails and says so; the socket stays.
    const io = openIo(`${app.url}/investigations`, {
      auth: { token: auth.Authorization?.slice(7), investigationId: id },
    });
    try {
      expect(await io.waitFor((event) => event === 'error', 'the failed watch')).toEqual({
        type: 'error',
        error_code: 'STORE_UNAVAILABLE',
        message: expect.any(String),
        retry_after: 5,
        investigation_id: id,
      });
      expect(io.socket.connected).toBe(true);
    } finally {
      io.close();
    }
    const ready = await fetch(`${app.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { details: unknown }).details).toEqual({
      status: 'unavailable',
      bus: { kind: 'in-process', status: 'up' },
      store: { kind: 'postgres', status: 'down' },
      audit: { kind: 'postgres', status: 'down' },
    });
    expect((await fetch(`${app.url}/health`)).status).toBe(200);

    await database.accept();
    await waitUntil(
      async () => ((await fetch(`${app.url}/health/ready`)).status === 200 ? true : undefined),
      'readiness to come back',
    );
    expect(await app.runtime.store.headPosition()).toBe(head);
    expect((await request('GET', `/api/v1/investigations/${id}`)).status).toBe(200);
    // What the refused requests would have audited is missing; the log itself is whole.
    expect(await auditCount()).toBe(audited);
  }, 60_000);

  it('still accepts a start that needs only the bus, and the workers run it once the store is back', async () => {
    await database.refuse();
    const res = await request('POST', '/api/v1/investigations', {
      query: 'contratos de obras',
      data_source: 'synthetic',
    });
    expect(res.status).toBe(202);
    const { investigation_id: id } = (await res.json()) as { investigation_id: string };
    await database.accept();
    await waitUntil(
      async () => {
        const summary = await request('GET', `/api/v1/investigations/${id}`);
        return summary.status === 200 && ((await summary.json()) as { status: string }).status === 'completed'
          ? true
          : undefined;
      },
      'the investigation accepted during the outage to complete',
      30_000,
    );
  }, 60_000);
});
