import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { newId } from '#platform';
import { ChatGateway } from '../apps/api/src/websocket/socketio/chat.gateway.js';
import { InvestigationsGateway } from '../apps/api/src/websocket/socketio/investigations.gateway.js';
import { openIo, type IoMessage } from '../apps/api/src/websocket/testing/io-client.testing.js';
import { connectWs, wsUrl } from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { openSse, type SseFrame } from './support/sse-client.js';
import { waitUntil } from './support/wait-until.js';

let app: EmbeddedApp;
beforeAll(async () => {
  app = await startEmbeddedApp({ SYNTHETIC_CONTRACTS: '600', INVESTIGATION_PAGE_SIZE: '50' });
});
afterAll(async () => {
  await app?.stop();
});

async function finishedInvestigation(): Promise<{ id: string; frames: SseFrame[] }> {
  const res = await fetch(`${app.url}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: 'Análise geral de contratos', data_source: 'synthetic' }),
  });
  const { investigation_id: id } = (await res.json()) as { investigation_id: string };
  return { id, frames: await (await openSse(`${app.url}/api/v1/investigations/stream/${id}`)).done };
}

const asSse = (payload: IoMessage): SseFrame => {
  const { id, anomaly: _anomaly, ...data } = payload;
  return { id: String(id), data };
};

describe('Socket.IO /investigations', () => {
  it('emits the SSE events under their type, with ids, from auth.lastEventId, in a room per investigation', async () => {
    const { id, frames } = await finishedInvestigation();
    const from = Number(frames[2]?.id);
    const client = openIo(`${app.url}/investigations`, { auth: { investigationId: id, lastEventId: from } });
    try {
      expect(await client.waitFor((event) => event === 'subscribed', 'the subscription')).toEqual({
        type: 'subscribed',
        investigation_id: id,
        last_event_id: from,
      });
      expect(
        await client.waitFor((event, p) => event === 'unsubscribed' && p.reason === 'ended', 'the end'),
      ).toMatchObject({ investigation_id: id });
      const events = client.received.filter((r) => typeof r.payload.id === 'number');
      expect(events.every((r) => r.event === r.payload.type)).toBe(true);
      expect(events.map((r) => asSse(r.payload))).toEqual(frames.filter((f) => Number(f.id) > from));
      expect(await client.request('cancel', { investigation_id: id })).toMatchObject({
        type: 'error',
        error_code: 'INVESTIGATION_FINISHED',
      });
      expect(await client.request('ping')).toEqual({ type: 'pong' });
      expect(await client.request('launch_missiles', {})).toMatchObject({
        type: 'error',
        error_code: 'UNKNOWN_MESSAGE_TYPE',
      });
      client.socket.emit('launch_missiles');
      expect(await client.waitFor((event) => event === 'error', 'the error event')).toMatchObject({
        error_code: 'UNKNOWN_MESSAGE_TYPE',
        message: expect.stringContaining('launch_missiles'),
      });
    } finally {
      client.close();
    }
  });

  it('subscribes later through an acknowledged event, and keeps sockets in the room while they follow', async () => {
    const slow = await startEmbeddedApp({
      SYNTHETIC_CONTRACTS: '20000',
      INVESTIGATION_PAGE_SIZE: '20',
      INVESTIGATION_STEP_DELAY_MS: '20',
    });
    const client = openIo(`${slow.url}/investigations`);
    try {
      const res = await fetch(`${slow.url}/api/v1/investigations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: 'contratos', data_source: 'synthetic' }),
      });
      const { investigation_id: id } = (await res.json()) as { investigation_id: string };
      expect(await client.request('subscribe', { investigation_id: id })).toEqual({
        type: 'subscribed',
        investigation_id: id,
        last_event_id: 0,
      });
      await client.waitFor((event) => event === 'progress', 'a progress event');
      const namespace = slow.api.app.get(InvestigationsGateway).namespace;
      expect((await namespace.in(`investigation:${id}`).fetchSockets()).map((s) => s.id)).toEqual([client.socket.id]);
      expect(await client.request('subscribe', { investigation_id: 'bad id!' })).toMatchObject({
        type: 'error',
        error_code: 'VALIDATION_ERROR',
      });
      expect(await client.request('cancel', { investigation_id: id, reason: 'stop' })).toEqual({
        type: 'ack',
        command: 'cancel',
        investigation_id: id,
      });
      expect(await client.waitFor((event) => event === 'cancelled', 'the cancelled event')).toMatchObject({
        reason: 'stop',
      });
      await client.waitFor((event, p) => event === 'unsubscribed' && p.reason === 'ended', 'the end');
      await waitUntil(
        async () => ((await namespace.in(`investigation:${id}`).fetchSockets()).length === 0 ? true : undefined),
        'the room to empty',
      );
    } finally {
      client.close();
      await slow.stop();
    }
  });
});

describe('Socket.IO /chat', () => {
  it("shares one live conversation between the owner's Socket.IO and raw WebSocket connections", async () => {
    const sessionId = `s-${newId()}`;
    const ana = openIo(`${app.url}/chat`, { auth: { sessionId } });
    try {
      // Started without a token: the session secret comes first, and ana's raw WebSocket sends it back.
      const secret = String((await ana.waitFor((event) => event === 'session', 'the session secret')).session_token);
      const bob = await connectWs(
        wsUrl(app.url, `/api/v1/ws/chat/${sessionId}?session_token=${encodeURIComponent(secret)}`),
      );
      try {
        await ana.waitFor((event) => event === 'history', 'the history');
        await bob.waitFor((m) => m.type === 'history', 'the history');
        const room = await app.api.app.get(ChatGateway).namespace.in(`chat:${sessionId}`).fetchSockets();
        expect(room.map((s) => s.id)).toEqual([ana.socket.id]);
        const ack = await ana.request('message', { content: 'Olá, bom dia!' });
        expect(ack).toMatchObject({
          type: 'ack',
          command: 'message',
          session_id: sessionId,
          message_id: expect.any(String),
        });
        expect(await bob.waitFor((m) => m.type === 'user_message', 'the user message')).toMatchObject({
          content: 'Olá, bom dia!',
          message_id: ack.message_id,
        });
        ana.socket.emit('typing', { is_typing: true });
        expect(
          await bob.waitFor((m) => m.type === 'typing' && m.user_id !== undefined, 'the typing indicator'),
        ).toMatchObject({ is_typing: true, session_id: sessionId });
        const [viaIo, viaWs] = await Promise.all([
          ana.waitFor((event, p) => event === 'agent_response' && p.is_final === true, 'the answer over Socket.IO'),
          bob.waitFor((m) => m.type === 'agent_response' && m.is_final === true, 'the answer over WebSocket'),
        ]);
        expect(viaIo).toEqual(viaWs);
        expect(await ana.request('message', { content: '' })).toMatchObject({
          type: 'error',
          error_code: 'EMPTY_MESSAGE',
        });
      } finally {
        await bob.close();
      }
    } finally {
      ana.close();
    }
  });

  it('refuses a handshake that names no session with connect_error', async () => {
    const client = openIo(`${app.url}/chat`);
    try {
      const error = await new Promise<Error & { data?: unknown }>((resolve) =>
        client.socket.once('connect_error', resolve),
      );
      expect(error.data).toMatchObject({ error_code: 'VALIDATION_ERROR', close_code: 4400 });
    } finally {
      client.close();
    }
  });
});
