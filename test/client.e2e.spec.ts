import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  CidadaoApiError,
  CidadaoClient,
  type InvestigationListWireEvent,
  type InvestigationWireEvent,
  type MultiplexedEvent,
  type ReconnectInfo,
  type StreamMessage,
} from '#client';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { startRestartableApi, type RestartableApi } from './support/restartable-api.js';
import { waitUntil } from './support/wait-until.js';

let api: RestartableApi;

const client = (sub: string, role: 'analyst' | 'auditor') =>
  new CidadaoClient({ baseUrl: api.url, getToken: () => api.token(sub, role) });

beforeAll(async () => {
  api = await startRestartableApi('client-e2e');
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

describe('the typed client (#client) against a real API', () => {
  let investigationId = '';

  it('streams an investigation to its end across an API crash and restart, every event once', async () => {
    const ana = client('ana', 'analyst');
    const started = await ana.startInvestigation(
      { query: 'Contratos de saúde em 2024', data_source: 'synthetic' },
      { idempotencyKey: `client-${randomUUID()}` },
    );
    investigationId = started.investigation_id;
    const received: Array<StreamMessage<InvestigationWireEvent>> = [];
    const reconnects: Array<ReconnectInfo & { lastReceived: string | undefined }> = [];
    let restarted: Promise<unknown> = Promise.resolve();
    // Events already in the chunk that held the fourth still arrive after the kill: the
    // resume point is whatever the loop had received when the connection dropped.
    const onReconnect = (info: ReconnectInfo) => reconnects.push({ ...info, lastReceived: received.at(-1)?.id });
    for await (const message of ana.investigationEvents(investigationId, {
      initialDelayMs: 100,
      maxAttempts: 100,
      onReconnect,
    })) {
      received.push(message);
      if (received.length === 4) {
        // The API dies under the client; another one starts on the same data a moment later.
        await api.crash();
        restarted = api.start();
      }
    }
    await restarted;
    expect(reconnects.length).toBeGreaterThan(0);
    expect(reconnects[0]?.lastEventId).toBe(reconnects[0]?.lastReceived);
    expect(Number(reconnects[0]?.lastEventId)).toBeGreaterThanOrEqual(Number(received[3]?.id));
    expect(received.at(-1)?.message.type).toBe('complete');
    const replay: string[] = [];
    for await (const { id } of ana.investigationEvents(investigationId)) replay.push(String(id));
    expect(received.map((m) => m.id)).toEqual(replay);
    expect(new Set(replay).size).toBe(replay.length);
    // Resumed from its terminal event, the stream is answered 204: the loop ends, no reconnect.
    const after: string[] = [];
    const again: ReconnectInfo[] = [];
    const resumed = ana.investigationEvents(investigationId, {
      lastEventId: replay.at(-1),
      onReconnect: (info) => again.push(info),
    });
    for await (const { id } of resumed) after.push(String(id));
    expect({ after, again }).toEqual({ after: [], again: [] });
  }, 120_000);

  it('follows several streams on one connection across an API crash and restart, every event once', async () => {
    // Not ana: her investigations are counted by the list test below.
    const mia = client('mia', 'analyst');
    const { investigation_id: id } = await mia.startInvestigation({
      query: 'Contratos de obras em 2024',
      data_source: 'synthetic',
    });
    const name = `investigation:${id}`;
    const received: Array<StreamMessage<MultiplexedEvent>> = [];
    let restarted: Promise<unknown> = Promise.resolve();
    for await (const message of mia.multiplexedEvents([name, 'investigations'], {
      initialDelayMs: 100,
      maxAttempts: 100,
    })) {
      received.push(message);
      if (received.length === 4) {
        await api.crash();
        restarted = api.start();
      }
      if (message.message.type === 'complete' && 'stream' in message.message && message.message.stream === name) break;
    }
    await restarted;
    const own: InvestigationWireEvent[] = [];
    for await (const { message } of mia.investigationEvents(id)) own.push(message);
    const carried = received.flatMap(({ message }) => {
      if (!('stream' in message) || message.stream !== name) return [];
      const { stream: _stream, ...event } = message;
      return [event];
    });
    expect(carried).toEqual(own);
    // One connection before the crash, one at least after it.
    expect(received.filter((m) => m.message.type === 'subscriptions').length).toBeGreaterThan(1);
  }, 120_000);

  it('follows the downstream feed by global position, filtered by category', async () => {
    const auditor = client('carol', 'auditor');
    const positions: number[] = [];
    const subjects = new Set<string>();
    const stop = new AbortController();
    for await (const { id, message } of auditor.events({ categories: ['investigation'] }, { signal: stop.signal })) {
      positions.push(Number(id));
      subjects.add(message.subject);
      if (message.subject === `investigation-${investigationId}` && message.type.endsWith('.InvestigationCompleted'))
        stop.abort();
    }
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(new Set(positions).size).toBe(positions.length);
    expect([...subjects].every((s) => s.startsWith('investigation-'))).toBe(true);
  }, 60_000);

  it('asks getToken for a new token when the server refuses one, on SSE, WebSocket and Socket.IO alike', async () => {
    const replay: string[] = [];
    for await (const { id } of client('ana', 'analyst').investigationEvents(investigationId)) replay.push(String(id));
    for (const transport of ['sse', 'websocket', 'socketio'] as const) {
      const reasons: string[] = [];
      const refreshed = new CidadaoClient({
        baseUrl: api.url,
        WebSocket,
        io,
        // The first token is one the server cannot accept: a stale one from another deployment.
        getToken: ({ reason }) => {
          reasons.push(reason);
          return reason === 'initial' ? 'not-a-valid-token' : api.token('ana', 'analyst');
        },
      });
      const ids: string[] = [];
      for await (const { id } of refreshed.investigationEvents(investigationId, { transport })) ids.push(String(id));
      expect({ transport, ids, reasons }).toEqual({ transport, ids: replay, reasons: ['initial', 'rejected'] });
    }
  }, 60_000);

  it("reads a chat session's answer to its end; the chat sockets are not its transports", async () => {
    const token = await api.token('ana', 'analyst');
    const res = await fetch(`${api.url}/api/v1/chat/message`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: 'Olá, bom dia!' }),
    });
    expect(res.status).toBe(200);
    const sessionId = String(((await res.json()) as { session_id: string }).session_id);
    const ana = new CidadaoClient({ baseUrl: api.url, getToken: () => token, WebSocket, io });
    const types: string[] = [];
    // The server ends a session's stream once every answer is complete, and so does the loop.
    for await (const { message } of ana.chatEvents(sessionId)) types.push(message.type);
    expect(types.slice(0, 4)).toEqual(['start', 'detecting', 'intent', 'agent_selected']);
    expect(types.at(-1)).toBe('complete');
    await expect(ana.chatEvents(sessionId, { transport: 'websocket' }).next()).rejects.toThrow(
      'has no WebSocket endpoint',
    );
  }, 60_000);

  it("lists the caller's own investigations a page at a time, then follows the list live from that page on", async () => {
    const ana = client('ana', 'analyst');
    const page = await waitUntil(async () => {
      const found = await ana.listInvestigations({ limit: 50 });
      return found.items.some((item) => item.investigation_id === investigationId) ? found : undefined;
    }, 'the first investigation in the list');
    expect(page.items.find((item) => item.investigation_id === investigationId)).toMatchObject({
      status: 'completed',
      progress: 100,
      user_id: 'ana',
    });
    expect((await client('bob', 'analyst').listInvestigations()).items).toEqual([]);

    // Followed from the page's last_event_id, a second investigation shows up and runs to its end.
    const stop = new AbortController();
    const changes: Array<StreamMessage<InvestigationListWireEvent>> = [];
    const followed = (async () => {
      for await (const change of ana.investigationChanges(
        {},
        { lastEventId: String(page.last_event_id), signal: stop.signal },
      )) {
        changes.push(change);
        if (change.message.status === 'completed' && change.message.investigation_id !== investigationId) stop.abort();
      }
    })();
    const second = await ana.startInvestigation({ query: 'Contratos de educação em 2024', data_source: 'synthetic' });
    await followed;
    const mine = changes.filter((c) => c.message.investigation_id === second.investigation_id);
    expect(mine.at(-1)?.message).toMatchObject({ type: 'investigation_summary', status: 'completed', user_id: 'ana' });
    const positions = changes.map((c) => Number(c.id));
    expect(positions).toEqual([...new Set(positions)].sort((a, b) => a - b));
    expect(positions.every((p) => p > page.last_event_id)).toBe(true);

    // Resumed after its first change, the stream sends what came after it, in its latest state.
    const resumed: number[] = [];
    const again = new AbortController();
    for await (const { id, message } of ana.investigationChanges(
      {},
      { lastEventId: mine[0]?.id, signal: again.signal },
    )) {
      resumed.push(Number(id));
      if (message.investigation_id === second.investigation_id && message.status === 'completed') again.abort();
    }
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.every((p) => p > Number(mine[0]?.id))).toBe(true);

    // Newest first, a page at a time through the cursor.
    const one = await ana.listInvestigations({ limit: 1 });
    expect(one.items.map((item) => item.investigation_id)).toEqual([second.investigation_id]);
    const two = await ana.listInvestigations({ limit: 1, cursor: one.next_cursor ?? '' });
    expect(two.items.map((item) => item.investigation_id)).toEqual([investigationId]);
    expect(two.next_cursor).toBeNull();
    await expect(ana.listInvestigations({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ status: 400 });
  }, 60_000);

  it('throws the API error for what a retry cannot fix, without retrying', async () => {
    const reconnects: ReconnectInfo[] = [];
    const stream = client('ana', 'analyst').investigationEvents(randomUUID(), {
      onReconnect: (info) => reconnects.push(info),
    });
    await expect(stream.next()).rejects.toMatchObject({ status: 404, errorCode: 'INVESTIGATION_NOT_FOUND' });
    await expect(client('bob', 'analyst').events().next()).rejects.toBeInstanceOf(CidadaoApiError);
    expect(reconnects).toEqual([]);
  });
});
