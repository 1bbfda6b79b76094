import { afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket as TcpSocket } from 'node:net';
import { Server as IoServer } from 'socket.io';
import { io as ioConnect, type Socket as IoClient } from 'socket.io-client';
import { WebSocket, WebSocketServer } from 'ws';
import { LiveFeed, streamSource, StreamHubs, type NewEvent } from '#eventsourcing';
import { InMemoryEventStore } from '#eventsourcing/testing';
import { inProcessPresence, silentLogger, TimerWheel, type Principal } from '#platform';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { WireFrame } from '../streaming/wire-frame.js';
import type { FrameWriter } from './frame-writer.js';
import { PeerTimers, type Peer } from './peer.js';
import { PeerStream } from './peer-stream.js';
import { oneWritePerFlush } from './socketio/io-frames.js';
import { IoPeer } from './socketio/io-peer.js';
import { taggedWriter } from './tagged-frames.js';
import { TypingRoom } from './typing-room.js';
import { WsPeer } from './ws-peer.js';

const principal: Principal = { id: 'u-1', roles: ['analyst'] };
const websocket = { bufferSize: 1 << 20, pingIntervalSeconds: 60, timeoutSeconds: 300, deflate: false as const };
const CLIENTS = 3;
const TICK = 5;

/** Every dispatch of a server socket to the kernel (a `_write`, or a corked `_writev`), with the buffers it held. */
function countWrites(socket: TcpSocket): Array<readonly unknown[]> {
  const writes: Array<readonly unknown[]> = [];
  const write = socket._write.bind(socket);
  socket._write = (chunk: unknown, encoding, callback) => {
    writes.push([chunk]);
    write(chunk, encoding, callback);
  };
  const writev = socket._writev?.bind(socket);
  if (writev)
    socket._writev = (chunks, callback) => {
      writes.push(chunks.map(({ chunk }) => chunk as unknown));
      writev(chunks, callback);
    };
  return writes;
}

const event = (n: number): NewEvent => ({
  type: 'Progressed',
  data: { n },
  metadata: { eventId: randomUUID(), commandId: 'c', correlationId: 'c', userId: 'u', occurredAt: 'now' },
});

describe('a hub write to WebSocket and Socket.IO peers', () => {
  const cleanups: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A real stream on an in-memory store, its hub, and the process clocks peers run on. */
  function setup() {
    const store = new InMemoryEventStore();
    const feed = new LiveFeed(store);
    const hubs = new StreamHubs<WireFrame>((id) => streamSource(store, feed, id), {
      frame: (e) => new WireFrame(e.revision, { type: 'progress', n: e.revision }),
    });
    const timers = new PeerTimers(new TimerWheel());
    cleanups.push(() => {
      feed.close();
      timers.wheel.stop();
      timers.onApplicationShutdown();
    });
    const streamId = `s-${randomUUID()}`;
    let revision = 0;
    const append = async (count: number): Promise<void> => {
      const events = Array.from({ length: count }, (_, i) => event(revision + i + 1));
      revision = (await store.appendToStream(streamId, events, revision)).nextRevision;
    };
    /** `peer` follows the stream from its start through `writer`. */
    const follow = (peer: Peer, writer: FrameWriter<WireFrame>): void => {
      const stream = new PeerStream(peer, hubs, {
        open: (after) => Promise.resolve({ streamId, after }),
        writer,
        onEnd: () => undefined,
      });
      stream.start(0);
      cleanups.push(() => stream.stop());
    };
    return { timers, streamId, append, follow };
  }

  async function listen(http: HttpServer): Promise<number> {
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => http.close(resolve)));
    return (http.address() as AddressInfo).port;
  }

  /** Raw WebSocket clients on peers that follow the stream; each peer's socket writes counted. */
  function wsClients(env: ReturnType<typeof setup>, batching: boolean, stream?: string) {
    return wsPeers(env.timers, batching, (peer) => env.follow(peer, stream ? taggedWriter(peer, stream) : peer.frames));
  }

  /** Raw WebSocket clients, each on a peer handed to `onPeer`; each peer's socket writes counted. */
  async function wsPeers(timers: PeerTimers, batching: boolean, onPeer: (peer: WsPeer) => void) {
    const http = createServer();
    const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
    const writes: Array<Array<readonly unknown[]>> = [];
    const peers: WsPeer[] = [];
    wss.on('connection', (ws, req) => {
      const peer = new WsPeer(ws, req.socket, {
        kind: batching ? 'general' : 'investigations',
        principal,
        correlationId: 'c-1',
        batching,
        websocket,
        logger: silentLogger,
        timers,
      });
      writes.push(countWrites(req.socket));
      peers.push(peer);
      onPeer(peer);
    });
    cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
    const port = await listen(http);
    const messages: unknown[][] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const client = new WebSocket(`ws://127.0.0.1:${port}`);
      const received: unknown[] = [];
      messages.push(received);
      client.on('message', (data) => received.push(JSON.parse(String(data))));
      cleanups.push(() => client.terminate());
      await once(client, 'open');
    }
    return { writes, messages, peers };
  }

  const waitFor = (done: () => boolean, what: string): Promise<true> =>
    waitUntil(() => (done() ? true : undefined), what);
  const progress = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => ({ id: from + i, type: 'progress', n: from + i }));

  it('sends the events of one tick to each raw WebSocket peer in one socket write, the same bytes for all', async () => {
    const env = setup();
    const { writes, messages } = await wsClients(env, false);
    await env.append(1);
    await waitFor(() => messages.every((received) => received.length === 1), 'the first event');
    const before = writes.map((socket) => socket.length);
    await env.append(TICK);
    await waitFor(() => messages.every((received) => received.length === 1 + TICK), "the tick's events");
    for (const received of messages) expect(received).toEqual(progress(1, 1 + TICK));
    const tickWrites = writes.map((socket, i) => socket.slice(before[i]));
    expect(tickWrites.map((socket) => socket.length)).toEqual(Array(CLIENTS).fill(1));
    const [first] = tickWrites.map((socket) => socket[0]?.[0]);
    for (const socket of tickWrites) expect(socket[0]?.[0]).toBe(first);
  });

  it('sends the events of one tick to each Socket.IO peer in one socket write', async () => {
    const env = setup();
    const http = createServer();
    const server = new IoServer(http);
    oneWritePerFlush(server.engine);
    const writes: Array<Array<readonly unknown[]>> = [];
    server.of('/investigations').on('connection', (socket) => {
      const peer = new IoPeer(socket, 'socketio_investigations', principal, 'c-1', websocket, env.timers);
      writes.push(countWrites(socket.request.socket));
      env.follow(peer, peer.frames);
    });
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const port = await listen(http);
    const messages: unknown[][] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const client: IoClient = ioConnect(`http://127.0.0.1:${port}/investigations`, { transports: ['websocket'] });
      const received: unknown[] = [];
      messages.push(received);
      client.on('progress', (message: unknown) => received.push(message));
      cleanups.push(() => void client.disconnect());
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    }
    await env.append(1);
    await waitFor(() => messages.every((received) => received.length === 1), 'the first event');
    // The first write's callback gives the engine its transport back before the tick.
    await new Promise((resolve) => setImmediate(resolve));
    const before = writes.map((socket) => socket.length);
    await env.append(TICK);
    await waitFor(() => messages.every((received) => received.length === 1 + TICK), "the tick's events");
    for (const received of messages) expect(received).toEqual(progress(1, 1 + TICK));
    expect(writes.map((socket, i) => socket.length - (before[i] ?? 0))).toEqual(Array(CLIENTS).fill(1));
  });

  it('tags a stream frame once for every /ws socket and shares the batch frame of sockets that flush the same messages', async () => {
    const env = setup();
    const stream = `investigation:${randomUUID()}`;
    const { writes, messages } = await wsClients(env, true, stream);
    await env.append(3);
    await waitFor(() => messages.every((received) => received.length === 1), 'the first event');
    const tagged = progress(1, 3).map((message) => ({ stream, ...message }));
    for (const received of messages) expect(received).toEqual([{ type: 'batch', messages: tagged }]);
    const [first] = writes.map((socket) => socket.at(-1)?.[0]);
    expect(first).toBeInstanceOf(Buffer);
    for (const socket of writes) {
      expect(socket).toHaveLength(1);
      expect(socket[0]?.[0]).toBe(first);
    }
  });

  it("writes a typing signal once encoded to every participant of the session's room but its sender, until the last leaves", async () => {
    const timers = setup().timers;
    const presence = inProcessPresence();
    cleanups.push(() => presence.close());
    const room = `chat.${randomUUID()}`;
    const typing = new TypingRoom(presence.signals(room), () => undefined);
    const leaves: Array<() => void> = [];
    const { writes, messages, peers } = await wsPeers(timers, false, (peer) => leaves.push(typing.add(peer)));
    const sender = peers[0] as WsPeer;
    const payload = { session_id: 's', user_id: 'u-2', is_typing: true };
    presence.publish({ room, origin: sender.id, payload });
    await waitFor(() => messages.filter((received) => received.length === 1).length === CLIENTS - 1, 'the signal');
    expect(writes.map((socket) => socket.length)).toEqual([0, 1, 1]);
    expect(messages.flat()).toEqual([
      { type: 'typing', ...payload },
      { type: 'typing', ...payload },
    ]);
    expect(writes[1]?.[0]?.[0]).toBe(writes[2]?.[0]?.[0]);
    for (const leave of leaves) leave();
    expect(typing.isClosed).toBe(true);
    presence.publish({ room, origin: 'someone', payload });
    await new Promise((resolve) => setImmediate(resolve));
    expect(messages.flat()).toHaveLength(2);
  });
});
