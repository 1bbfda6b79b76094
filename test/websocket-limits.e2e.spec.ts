import { afterEach, describe, expect, it } from '@jest/globals';
import { io as ioClient } from 'socket.io-client';
import { chatStreamId } from '#chat';
import { newId } from '#platform';
import type { NewEvent } from '#eventsourcing';
import { hashSessionToken, newSessionToken } from '../apps/api/src/chat/chat-session-token.js';
import { WsConnections } from '../apps/api/src/websocket/ws-connections.js';
import { ioOnce } from '../apps/api/src/websocket/testing/io-client.testing.js';
import {
  connectWs,
  refusedUpgrade,
  wsUrl,
  type WsMessage,
} from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { waitUntil } from './support/wait-until.js';
import { startInvestigationAt } from './support/start-investigation.js';

let app: EmbeddedApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

async function start(env: Record<string, string> = {}): Promise<EmbeddedApp> {
  app = await startEmbeddedApp(env);
  return app;
}

const startInvestigation = (url: string): Promise<string> => startInvestigationAt(url, { query: 'contratos' });

const gauge = async (url: string, type: string): Promise<number> => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`websocket_connections_active{type="${type}"}`));
  return Number(line?.split(' ')[1] ?? Number.NaN);
};

/** The first message of an anonymous session bound to `secret`: what a subscriber must show to read it. */
function received(sessionId: string, messageId: string, secret: string): NewEvent {
  const at = new Date().toISOString();
  const owner = { userId: 'anonymous', tokenHash: hashSessionToken(secret) };
  const data = { sessionId, messageId, content: 'Oi', requestedAgentId: null, receivedAt: at, owner };
  return {
    type: 'MessageReceived',
    data,
    metadata: { eventId: newId(), commandId: newId(), correlationId: newId(), userId: 'anonymous', occurredAt: at },
  };
}

function chunk(messageId: string, seq: number, content: string): NewEvent {
  const at = new Date().toISOString();
  return {
    type: 'ResponseChunkGenerated',
    data: { messageId, seq, content, at },
    metadata: { eventId: newId(), commandId: newId(), correlationId: newId(), userId: 'test', occurredAt: at },
  };
}

describe('routing upgrades', () => {
  it('refuses unknown paths with 404, and every upgrade with 503 when ENABLE_WEBSOCKET=false', async () => {
    const on = await start();
    expect(await refusedUpgrade(wsUrl(on.url, '/api/v1/nowhere'))).toMatchObject({
      status: 404,
      body: expect.stringContaining('NOT_FOUND'),
    });
    expect((await refusedUpgrade(wsUrl(on.url, '/api/v1/ws/investigations/bad%20id'))).status).toBe(404);
    expect((await refusedUpgrade(wsUrl(on.url, '/api/v1/ws?last_event_id=abc'))).status).toBe(400);
    await on.stop();
    const off = await start({ ENABLE_WEBSOCKET: 'false' });
    for (const path of [
      '/api/v1/ws',
      '/api/v1/ws/chat/s-1',
      '/api/v1/ws/investigations/i-1',
      '/socket.io/?EIO=4&transport=websocket',
    ]) {
      const refused = await refusedUpgrade(wsUrl(off.url, path));
      expect({
        path,
        status: refused.status,
        code: (JSON.parse(refused.body) as { error_code: string }).error_code,
      }).toEqual({ path, status: 503, code: 'WEBSOCKET_DISABLED' });
    }
  });
});

describe('keepalive, idle timeout and the connection gauge', () => {
  it('counts connections by type and closes idle ones after WEBSOCKET_TIMEOUT', async () => {
    const { url } = await start({ WEBSOCKET_TIMEOUT: '1', WEBSOCKET_PING_INTERVAL: '1' });
    const client = await connectWs(wsUrl(url, '/api/v1/ws'));
    await waitUntil(async () => ((await gauge(url, 'general')) === 1 ? true : undefined), 'the gauge at 1');
    const closed = await client.closed;
    expect(closed.code).toBe(1000);
    expect(closed.reason).toMatch(/^idle for 1 s/);
    await waitUntil(async () => ((await gauge(url, 'general')) === 0 ? true : undefined), 'the gauge back at 0');
  });

  it('drops a peer that stops answering pings', async () => {
    const running = await start({ WEBSOCKET_PING_INTERVAL: '1' });
    const connections = running.api.app.get(WsConnections);
    const client = await connectWs(wsUrl(running.url, '/api/v1/ws'));
    await client.waitFor((m) => m.type === 'connected', 'the welcome');
    client.ws.pause();
    await waitUntil(() => (connections.count() === 0 ? true : undefined), 'the server to drop the silent peer');
    client.ws.resume();
    expect((await client.closed).code).toBe(1006);
  });
});

describe('a slow client', () => {
  it('does not grow server memory: the stream pauses, then catches up from the store, missing nothing', async () => {
    const limit = 65536;
    const running = await start({ WEBSOCKET_BUFFER_SIZE: String(limit) });
    const connections = running.api.app.get(WsConnections);
    const sessionId = `slow-${newId()}`;
    const secret = newSessionToken();
    await running.runtime.store.appendToStream(
      chatStreamId(sessionId),
      [received(sessionId, 'm-1', secret)],
      'no_stream',
    );
    const client = await connectWs(wsUrl(running.url, '/api/v1/ws'));
    client.send({ type: 'subscribe', stream: `chat:${sessionId}`, session_token: secret });
    await client.waitFor((m) => m.type === 'subscribed', 'the subscription');
    await client.waitFor((m) => m.id === 1, 'the first message');
    client.ws.pause();
    const content = 'x'.repeat(32 * 1024);
    let appended = 1;
    // Kernel buffers take megabytes before the server's own buffer grows: append until it pauses.
    await waitUntil(async () => {
      const batch = Array.from({ length: 20 }, (_, i) => chunk('m-1', appended + i, content));
      await running.runtime.store.appendToStream(chatStreamId(sessionId), batch, appended);
      appended += batch.length;
      return connections.stats().some((s) => s.pauses > 0) || appended >= 2000 ? true : undefined;
    }, 'the stream to pause');
    const stats = connections.stats()[0];
    expect(stats?.pauses).toBeGreaterThan(0);
    expect(stats?.peakBufferedBytes).toBeLessThanOrEqual(limit + 2 * (content.length + 200));
    client.ws.resume();
    await client.waitFor((m) => m.id === appended, `the last chunk, ${appended}`, 0, 60_000);
    const ids = client.messages.filter((m: WsMessage) => m.type === 'chunk').map((m) => m.id);
    expect(ids).toEqual(Array.from({ length: appended - 1 }, (_, i) => i + 2));
    await client.close();
    // Room for the last chunk's own wait to fail first, saying how far the client got.
  }, 120_000);
});

describe('server errors', () => {
  it('sends the error and closes with 1011 when the stream cannot be read', async () => {
    const running = await start();
    const id = await startInvestigation(running.url);
    // The store going away under the API is a server fault, not the client's.
    await running.runtime.store.close();
    const client = await connectWs(wsUrl(running.url, `/api/v1/ws/investigations/${id}`));
    expect((await client.closed).code).toBe(1011);
    expect(client.messages).toEqual([
      { type: 'error', error_code: 'STORE_UNAVAILABLE', message: expect.any(String), retry_after: 5 },
    ]);
  });
});

describe('graceful shutdown', () => {
  it('closes raw WebSockets with 1012 and tells Socket.IO clients the same before their transport closes', async () => {
    const running = await start({
      SYNTHETIC_CONTRACTS: '20000',
      INVESTIGATION_PAGE_SIZE: '20',
      INVESTIGATION_STEP_DELAY_MS: '20',
    });
    const id = await startInvestigation(running.url);
    const raw = await connectWs(wsUrl(running.url, `/api/v1/ws/investigations/${id}`));
    await raw.waitFor((m) => m.type === 'progress', 'a first event');
    const socket = ioClient(`${running.url}/investigations`, {
      auth: { investigationId: id },
      transports: ['websocket'],
      reconnection: false,
    });
    try {
      const reasons: unknown[] = [];
      socket.on('disconnect_reason', (reason: unknown) => reasons.push(reason));
      await ioOnce(socket, 'progress');
      const disconnected = ioOnce(socket, 'disconnect');
      await running.api.drain();
      expect(await raw.closed).toEqual({
        code: 1012,
        reason: 'service restart: reconnect and resume with your last event id',
      });
      expect(await disconnected).toEqual(['transport close', expect.anything()]);
      expect(reasons).toEqual([{ code: 1012, reason: expect.stringMatching(/^service restart/) }]);
    } finally {
      socket.close();
    }
  });
});
