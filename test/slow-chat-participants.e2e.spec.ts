import { afterEach, describe, expect, it } from '@jest/globals';
import { chatStreamId } from '#chat';
import { newId } from '#platform';
import type { NewEvent } from '#eventsourcing';
import { hashSessionToken, newSessionToken } from '../apps/api/src/chat/chat-session-token.js';
import type { PeerStats } from '../apps/api/src/websocket/peer.js';
import { WsConnections } from '../apps/api/src/websocket/ws-connections.js';
import { openIo, type IoTestClient } from '../apps/api/src/websocket/testing/io-client.testing.js';
import { connectWs, wsUrl, type WsTestClient } from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { stalledWebSocket, type StalledClient } from './support/stalled-clients.js';
import { waitUntil } from './support/wait-until.js';

/** WEBSOCKET_BUFFER_SIZE of the server under test. */
const LIMIT = 65_536;
/** Stalled participants per transport. */
const STALLED = 3;
const CHUNK = 'x'.repeat(32 * 1024);
/** Typing signals the flooding participant sends: megabytes for every participant that does not read. */
const TYPING_FLOOD = 5_000;
/**
 * What a participant may hold: its buffer, the frame that crossed it, and the slack the raw
 * WebSocket allows direct replies before it closes the connection.
 */
const BOUND = 4 * LIMIT + 2 * (CHUNK.length + 500);

let app: EmbeddedApp | undefined;
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await app?.stop();
  app = undefined;
});

function chatEvent(type: string, data: Record<string, unknown>, userId: string): NewEvent {
  const at = new Date().toISOString();
  return {
    type,
    data: { ...data, at },
    metadata: { eventId: newId(), commandId: newId(), correlationId: newId(), userId, occurredAt: at },
  };
}

/** The first message of an anonymous session bound to `secret`. */
function firstMessage(sessionId: string, secret: string): NewEvent {
  const owner = { userId: 'anonymous', tokenHash: hashSessionToken(secret) };
  const at = new Date().toISOString();
  const data = { sessionId, messageId: 'm-1', content: 'Oi', requestedAgentId: null, receivedAt: at, owner };
  return {
    type: 'MessageReceived',
    data,
    metadata: { eventId: newId(), commandId: newId(), correlationId: newId(), userId: 'anonymous', occurredAt: at },
  };
}

const chunk = (seq: number): NewEvent =>
  chatEvent('ResponseChunkGenerated', { messageId: 'm-1', seq, content: CHUNK }, 'chat-worker');

/** The answer's chunk revisions a participant received, in order. */
const ioChunkIds = (client: IoTestClient): unknown[] =>
  client.received.filter((r) => r.event === 'agent_response').map((r) => r.payload.id);
const wsChunkIds = (client: WsTestClient): unknown[] =>
  client.messages.filter((m) => m.type === 'agent_response').map((m) => m.id);

/** Participants of `kind` that left the live set at least once (a reader may too, in a burst). */
const paused = (stats: readonly PeerStats[], kind: PeerStats['kind']): number =>
  stats.filter((s) => s.kind === kind && s.pauses > 0).length;

describe('a chat participant that stops reading', () => {
  it('holds a bounded buffer on Socket.IO and raw WebSocket, while the others get every event', async () => {
    app = await startEmbeddedApp({ WEBSOCKET_BUFFER_SIZE: String(LIMIT), WEBSOCKET_PING_INTERVAL: '600' });
    const connections = app.api.app.get(WsConnections);
    const sessionId = `slow-chat-${newId()}`;
    const secret = newSessionToken();
    const streamId = chatStreamId(sessionId);
    await app.runtime.store.appendToStream(streamId, [firstMessage(sessionId, secret)], 'no_stream');
    const ws = app.url.replace(/^http/, 'ws');
    const chatPath = `/api/v1/ws/chat/${sessionId}?session_token=${secret}`;

    const reader = openIo(`${app.url}/chat`, { auth: { sessionId, sessionToken: secret } });
    closers.push(() => reader.close());
    await reader.waitFor((event) => event === 'history', 'the Socket.IO reader joining');
    const flooder = await connectWs(wsUrl(app.url, chatPath));
    closers.push(() => flooder.terminate());
    await flooder.waitFor((m) => m.type === 'history', 'the raw reader joining');

    const stalled: StalledClient[] = [];
    closers.push(() => stalled.forEach((client) => client.close()));
    const handshake = `40/chat,${JSON.stringify({ sessionId, sessionToken: secret })}`;
    for (let i = 0; i < STALLED; i++) {
      stalled.push(
        await stalledWebSocket(`${ws}/socket.io/?EIO=4&transport=websocket`, [handshake], (text) =>
          text.includes('"history"'),
        ),
      );
      stalled.push(await stalledWebSocket(`${ws}${chatPath}`, [], (text) => text.includes('"history"')));
    }

    // Kernel buffers take megabytes before the server's own grow: append until every stalled participant paused.
    let revision = 1;
    await waitUntil(
      async () => {
        const batch = Array.from({ length: 20 }, (_, i) => chunk(revision + i));
        await app?.runtime.store.appendToStream(streamId, batch, revision);
        revision += batch.length;
        const stats = connections.stats();
        const all = paused(stats, 'socketio_chat') >= STALLED && paused(stats, 'chat') >= STALLED;
        return all || revision > 4_000 ? true : undefined;
      },
      'every stalled participant to leave the live set',
      120_000,
    );
    expect(paused(connections.stats(), 'socketio_chat')).toBeGreaterThanOrEqual(STALLED);
    expect(paused(connections.stats(), 'chat')).toBeGreaterThanOrEqual(STALLED);

    const expected = Array.from({ length: revision - 1 }, (_, i) => i + 2);
    await reader.waitFor(
      (event, payload) => event === 'agent_response' && payload.id === revision,
      'the last chunk',
      60_000,
    );
    await flooder.waitFor((m) => m.type === 'agent_response' && m.id === revision, 'the last chunk', 0, 60_000);
    expect(ioChunkIds(reader)).toEqual(expected);
    expect(wsChunkIds(flooder)).toEqual(expected);

    // Typing signals bypass the event stream: they must not pile up for those who do not read either.
    // In rounds the inbox takes whole (it refuses more than 64 waiting messages), each seen by the reader.
    const typingSeen = (): number => reader.received.filter((r) => r.event === 'typing').length;
    for (let sent = 0; sent < TYPING_FLOOD;) {
      for (let i = 0; i < 50; i++, sent++) flooder.send({ type: 'typing', is_typing: true });
      await waitUntil(() => (typingSeen() >= sent ? true : undefined), `the reader to see ${sent} typing signals`);
    }

    const peaks = connections.stats().map((peer) => `${peer.kind} ${peer.peakBufferedBytes}`);
    process.stdout.write(`slow chat participants: peak buffered bytes ${peaks.join(', ')} (bound ${BOUND})\n`);
    expect(connections.stats().filter((peer) => peer.peakBufferedBytes > BOUND)).toEqual([]);
  }, 240_000);

  it('is disconnected on Socket.IO once the answers to its own messages pass the hard limit', async () => {
    app = await startEmbeddedApp({ WEBSOCKET_BUFFER_SIZE: String(LIMIT), WEBSOCKET_PING_INTERVAL: '600' });
    const connections = app.api.app.get(WsConnections);
    const sessionId = `slow-chat-${newId()}`;
    const secret = newSessionToken();
    await app.runtime.store.appendToStream(chatStreamId(sessionId), [firstMessage(sessionId, secret)], 'no_stream');
    const handshake = `40/chat,${JSON.stringify({ sessionId, sessionToken: secret })}`;
    const client = await stalledWebSocket(
      `${app.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`,
      [handshake],
      (text) => text.includes('"history"'),
    );
    closers.push(() => client.close());
    // Each unknown event is answered with an error: megabytes of answers once the kernel's buffers are full.
    const unknown = `42/chat,${JSON.stringify(['x'.repeat(64), {}])}`;
    let sent = 0;
    await waitUntil(
      () => {
        if (connections.count('socketio_chat') === 0) return true;
        if (sent >= 200_000) return false;
        for (let i = 0; i < 1_000; i++, sent++) client.send(unknown);
        return undefined;
      },
      'the server to drop the client or the client to send everything',
      120_000,
    );
    expect(connections.count('socketio_chat')).toBe(0);
  }, 240_000);
});
