import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openIo } from '../apps/api/src/websocket/testing/io-client.testing.js';
import { connectWs, wsUrl } from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';

const SECRET = 'ws-expiry-secret-ws-expiry-secret-ws-expiry';
let app: EmbeddedApp;

beforeAll(async () => {
  app = await startEmbeddedApp({ JWT_SECRET: SECRET });
});
afterAll(async () => {
  await app?.stop();
});

/** Tokens of one user that expire in the same second: closing one shows when the others would have. */
const shortLived = (sub: string) => app.token(sub, 'analyst', { ttlSeconds: 2 });
const general = (token: string) => wsUrl(app.url, `/api/v1/ws?connection_type=general&token=${token}`);

describe('an open connection whose token expires', () => {
  it('is closed with 1008 and a TOKEN_EXPIRED error on raw WebSocket, unless the client sent a fresh token', async () => {
    const token = await shortLived('ana');
    const expiring = await connectWs(general(token));
    const refreshed = await connectWs(general(token));
    const mismatched = await connectWs(general(token));

    refreshed.send({ type: 'auth', token: await app.token('ana', 'analyst', { ttlSeconds: 600 }), request_id: 'r1' });
    expect(await refreshed.waitFor((m) => m.type === 'auth', 'the auth answer')).toMatchObject({
      type: 'auth',
      status: 'ok',
      request_id: 'r1',
      expires_at: expect.any(String),
    });
    mismatched.send({ type: 'auth', token: await app.token('bob', 'analyst', { ttlSeconds: 600 }) });
    expect(await mismatched.waitFor((m) => m.type === 'error', 'the refusal')).toMatchObject({
      error_code: 'AUTH_MISMATCH',
    });

    expect((await expiring.closed).code).toBe(1008);
    expect(expiring.messages.at(-1)).toMatchObject({ type: 'error', error_code: 'TOKEN_EXPIRED' });
    expect((await mismatched.closed).code).toBe(1008);
    const from = refreshed.messages.length;
    refreshed.send({ type: 'ping', request_id: 'still-open' });
    expect(await refreshed.waitFor((m) => m.type === 'pong', 'a pong after the old expiry', from)).toMatchObject({
      request_id: 'still-open',
    });
    await refreshed.close();
  });

  it('disconnects a Socket.IO client with the error and 1008, unless it sent a fresh token in an `auth` event', async () => {
    const token = await shortLived('carol');
    const expiring = openIo(`${app.url}/investigations`, { auth: { token } });
    const refreshed = openIo(`${app.url}/investigations`, { auth: { token } });
    try {
      for (const client of [expiring, refreshed])
        await new Promise<void>((resolve) =>
          client.socket.connected ? resolve() : client.socket.once('connect', resolve),
        );
      const answer = await refreshed.request('auth', {
        token: await app.token('carol', 'analyst', { ttlSeconds: 600 }),
      });
      expect(answer).toMatchObject({ type: 'auth', status: 'ok' });

      expect(await expiring.waitFor((_, p) => p.error_code === 'TOKEN_EXPIRED', 'the expiry error')).toMatchObject({
        type: 'error',
      });
      expect(await expiring.waitFor((event) => event === 'disconnect_reason', 'the close code')).toMatchObject({
        code: 1008,
      });
      expect(await refreshed.request('ping')).toMatchObject({ type: 'pong' });
      expect(refreshed.socket.connected).toBe(true);
    } finally {
      expiring.close();
      refreshed.close();
    }
  });
});
