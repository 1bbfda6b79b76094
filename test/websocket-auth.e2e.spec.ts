import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { io as ioClient } from 'socket.io-client';
import { ioOnce } from '../apps/api/src/websocket/testing/io-client.testing.js';
import { connectWs, wsUrl } from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { auditRecords } from '#platform';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { waitUntil } from './support/wait-until.js';

const SECRET = 'ws-test-secret-ws-test-secret-ws-test-42';
let app: EmbeddedApp;
let id = '';

beforeAll(async () => {
  app = await startEmbeddedApp({ JWT_SECRET: SECRET });
  const res = await fetch(`${app.url}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await app.token('ana', 'analyst')}` },
    body: JSON.stringify({ query: 'contratos de saúde', data_source: 'synthetic' }),
  });
  id = ((await res.json()) as { investigation_id: string }).investigation_id;
});
afterAll(async () => {
  await app?.stop();
});

async function closeOf(path: string): Promise<{ code: number; error: unknown }> {
  const client = await connectWs(wsUrl(app.url, path));
  const { code } = await client.closed;
  return { code, error: client.messages.find((m) => m.type === 'error')?.error_code };
}

describe('WebSocket authentication (JWT_SECRET set)', () => {
  it('closes with 1008 on a missing, invalid or expired token, saying which', async () => {
    const expired = await app.token('ana', 'analyst', {
      issuedAt: Math.floor(Date.now() / 1000) - 3600,
      ttlSeconds: 600,
    });
    expect(await closeOf(`/api/v1/ws/investigations/${id}`)).toEqual({ code: 1008, error: 'UNAUTHORIZED' });
    expect(await closeOf(`/api/v1/ws/investigations/${id}?token=forged`)).toEqual({
      code: 1008,
      error: 'TOKEN_INVALID',
    });
    expect(await closeOf(`/api/v1/ws/investigations/${id}?token=${expired}`)).toEqual({
      code: 1008,
      error: 'TOKEN_EXPIRED',
    });
    expect(await closeOf('/api/v1/ws?connection_type=general')).toEqual({ code: 1008, error: 'UNAUTHORIZED' });
    expect(await closeOf(`/api/v1/ws/investigations/${id}?token=${await app.token('nina', [])}`)).toEqual({
      code: 1008,
      error: 'FORBIDDEN',
    });
    const rejected: string[] = [];
    for await (const record of auditRecords(app.runtime.audit, { eventType: 'auth.ws_token_rejected' }))
      rejected.push(`${record.errorCode} ${record.resourceId}`);
    expect(rejected).toEqual(
      expect.arrayContaining([
        `TOKEN_INVALID /api/v1/ws/investigations/${id}`,
        `TOKEN_EXPIRED /api/v1/ws/investigations/${id}`,
      ]),
    );
    expect(rejected.join(' ')).not.toContain('token=');
  });

  it('streams to the owner (?token= or Authorization header) and answers 4404 to another analyst', async () => {
    const owner = await connectWs(
      wsUrl(app.url, `/api/v1/ws/investigations/${id}?token=${await app.token('ana', 'viewer')}`),
    );
    expect((await owner.closed).code).toBe(1000);
    expect(owner.messages.at(-1)).toMatchObject({ type: 'complete', investigation_id: id });
    const byHeader = await connectWs(wsUrl(app.url, `/api/v1/ws/investigations/${id}`), {
      headers: { Authorization: `Bearer ${await app.token('carol', 'auditor')}` },
    });
    expect((await byHeader.closed).code).toBe(1000);
    expect(byHeader.messages).toEqual(owner.messages);
    expect(await closeOf(`/api/v1/ws/investigations/${id}?token=${await app.token('bob', 'analyst')}`)).toEqual({
      code: 4404,
      error: 'INVESTIGATION_NOT_FOUND',
    });
  });

  it('refuses a Socket.IO handshake without a valid token with connect_error carrying 1008', async () => {
    for (const auth of [{ investigationId: id }, { investigationId: id, token: 'forged' }]) {
      const socket = ioClient(`${app.url}/investigations`, { auth, transports: ['websocket'], reconnection: false });
      try {
        const [error] = (await ioOnce(socket, 'connect_error')) as [Error & { data?: Record<string, unknown> }];
        expect(error.data).toMatchObject({
          type: 'error',
          close_code: 1008,
          error_code: auth.token ? 'TOKEN_INVALID' : 'UNAUTHORIZED',
        });
      } finally {
        socket.close();
      }
    }
    const expected = ['UNAUTHORIZED /socket.io/investigations', 'TOKEN_INVALID /socket.io/investigations'];
    const rejected = await waitUntil(async () => {
      const seen: string[] = [];
      for await (const record of auditRecords(app.runtime.audit, { eventType: 'auth.ws_token_rejected' }))
        seen.push(`${record.errorCode} ${record.resourceId}`);
      return expected.every((e) => seen.includes(e)) ? seen : undefined;
    }, 'the refused handshakes in the audit log');
    expect(rejected).toEqual(expect.arrayContaining(expected));
  });
});
