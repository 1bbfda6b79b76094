// The servers under test, one per process: `node servers.mjs <kind>` (bare-sse, bare-ws, bare-io,
// project, project-workers, nchan-pub). Each answers the orchestrator's requests:
// channels(n) -> { sse, ws, io, nextSeq } (a target per channel; the project also `wsmux`, its
// `/ws` stream names, and `mux-sse`, its multiplexed SSE stream names) and publish(count, rate),
// event i going to channel i % n, so that every channel has the same sequence numbers.
import { Buffer } from 'node:buffer';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { Server as IoServer } from 'socket.io';
import { WebSocketServer } from 'ws';
import { monoUs, newChannelUuid, paced, progressPayload, serveRequests } from './common.mjs';

const PORT = Number(process.env.PORT);
const kind = process.argv[2];

/** Channels of a bare server: a uuid, a sequence and an in-memory history (for Last-Event-ID). */
function bareChannels() {
  let list = [];
  return {
    reset: (n) =>
      (list = Array.from({ length: n }, (_, i) => ({ name: `c${i}`, uuid: newChannelUuid(), seq: 0, history: [] }))),
    byName: (name) => list.find((c) => c.name === name),
    next: (i) => {
      const channel = list[i % list.length];
      channel.seq++;
      return channel;
    },
    names: () => list.map((c) => c.name),
  };
}

/** node:http SSE: one frame per event, the same string written to every response of the channel. */
function bareSse() {
  const channels = bareChannels();
  const subs = new Map();
  http
    .createServer((req, res) => {
      const channel = channels.byName(req.url.slice('/sub/'.length));
      if (!channel) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.write('retry: 3000\n\n');
      const after = Number(req.headers['last-event-id'] ?? 0) || 0;
      for (const frame of channel.history.slice(after)) res.write(frame);
      subs.get(channel.name).add(res);
      res.on('close', () => subs.get(channel.name).delete(res));
    })
    .listen(PORT, '127.0.0.1', 4096);
  return {
    channels(n) {
      channels.reset(n);
      subs.clear();
      for (const name of channels.names()) subs.set(name, new Set());
      return { sse: channels.names().map((name) => `/sub/${name}`), nextSeq: 1 };
    },
    publishOne(i) {
      const channel = channels.next(i);
      const frame = `id: ${channel.seq}\ndata: ${progressPayload(channel.uuid, channel.seq, monoUs())}\n\n`;
      channel.history.push(frame);
      for (const res of subs.get(channel.name)) res.write(frame);
    },
  };
}

/** `ws` broadcast: one text per event, sent to every client of the channel. */
function bareWs() {
  const server = http.createServer((_, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const channels = bareChannels();
  const subs = new Map();
  wss.on('connection', (socket, req) => {
    const set = subs.get(req.url.slice('/ws/'.length));
    if (!set) return socket.close(1008);
    set.add(socket);
    socket.on('close', () => set.delete(socket));
  });
  server.listen(PORT, '127.0.0.1', 4096);
  return {
    channels(n) {
      channels.reset(n);
      subs.clear();
      for (const name of channels.names()) subs.set(name, new Set());
      return { ws: channels.names().map((name) => `/ws/${name}`), nextSeq: 1 };
    },
    publishOne(i) {
      const channel = channels.next(i);
      const payload = progressPayload(channel.uuid, channel.seq, monoUs());
      const text = `{"id":${channel.seq},${payload.slice(1)}`;
      for (const socket of subs.get(channel.name)) socket.send(text);
    },
  };
}

/** Socket.IO room broadcast: a room per channel (`auth.channel`), the event emitted under its type. */
function bareIo() {
  const server = http.createServer();
  const ioServer = new IoServer(server, { transports: ['websocket'], perMessageDeflate: false });
  const channels = bareChannels();
  ioServer.on('connection', (socket) => {
    const channel = channels.byName(String(socket.handshake.auth?.channel));
    if (channel) socket.join(channel.name);
    else socket.disconnect(true);
  });
  server.listen(PORT, '127.0.0.1', 4096);
  return {
    channels(n) {
      channels.reset(n);
      return { io: channels.names().map((name) => ({ namespace: '/', auth: { channel: name } })), nextSeq: 1 };
    },
    publishOne(i) {
      const channel = channels.next(i);
      const payload = JSON.parse(progressPayload(channel.uuid, channel.seq, monoUs()));
      ioServer.to(channel.name).emit('progress', { id: channel.seq, ...payload });
    },
  };
}

const dist = (path) => import(pathToFileURL(join(process.env.PROJECT_DIR, 'dist', path)).href);

/** The project's runtime from its build, as apps/api/src/main.ts makes it; with the API unless `api` is false. */
async function projectRuntime(api) {
  const platform = await dist('libs/platform/src/index.js');
  const { createPinoLogger, createRuntime, loadSections, resolveAuthMode } = platform;
  const { runLeasedProjectors } = await dist('apps/workers/src/index.js');
  const settings = loadSections();
  resolveAuthMode(settings);
  const runtime = await createRuntime(settings, createPinoLogger(settings.process.logLevel, { service: 'bench' }));
  // No command workers: the bench appends the investigations' events itself, and the run
  // workflow would start real runs on them. The read models' projectors still run: in the
  // embedded API itself, and here for a distributed deployment.
  if (!api && !settings.process.embedded) runLeasedProjectors(runtime);
  if (api) await (await dist('apps/api/src/bootstrap.js')).startApi(runtime, PORT, '127.0.0.1');
  return { runtime, platform };
}

/**
 * The project (its API and workers, or with `api` false only the workers, as the publisher of a
 * distributed deployment): investigations started, then `ProgressReported` appended to their streams.
 */
async function project(api = true) {
  const { runtime, platform } = await projectRuntime(api);
  const { ANONYMOUS_PRINCIPAL, newId } = platform;
  const { investigationStreamId } = await dist('libs/investigations/src/index.js');
  const at = () => new Date().toISOString();
  const metadata = () => ({
    eventId: newId(),
    commandId: newId(),
    correlationId: newId(),
    userId: ANONYMOUS_PRINCIPAL.id,
    occurredAt: at(),
  });
  // `progress` carries the revision, the event's id, as the bare servers' payload carries its
  // sequence: the multiplexed SSE's ids are cursors, so its subscribers take the sequence from there.
  const progress = (revision, sentUs) => ({
    page: revision,
    progress: revision,
    currentPhase: 'analyzing_contracts',
    recordsProcessed: sentUs,
    anomaliesDetected: 0,
    totalEstimate: null,
    lastPage: false,
    at: at(),
  });
  let streams = [];
  return {
    async channels(n) {
      const ids = Array.from({ length: n }, () => newId());
      // `revision`: the stream's last, InvestigationStarted's 1; the first ProgressReported is 2.
      streams = ids.map((id) => ({ streamId: investigationStreamId(id), revision: 1 }));
      for (const [i, id] of ids.entries()) {
        const data = {
          investigationId: id,
          query: 'bench: peers',
          dataSource: 'synthetic',
          filters: {},
          anomalyTypes: [],
          startedAt: at(),
        };
        await runtime.store.appendToStream(
          streams[i].streamId,
          [{ type: 'InvestigationStarted', data, metadata: metadata() }],
          'no_stream',
        );
      }
      return {
        sse: ids.map((id) => `/api/v1/investigations/stream/${id}`),
        ws: ids.map((id) => `/api/v1/ws/investigations/${id}`),
        io: ids.map((id) => ({ namespace: '/investigations', auth: { investigationId: id } })),
        wsmux: ids.map((id) => `investigation:${id}`),
        'mux-sse': ids.map((id) => `investigation:${id}`),
        nextSeq: 2,
      };
    },
    /** Events `first`..`first + count - 1`, one append per stream they fall on. */
    async publishMany(first, count) {
      const sentUs = monoUs();
      const byStream = new Map();
      for (let i = first; i < first + count; i++) {
        const stream = streams[i % streams.length];
        const events = byStream.get(stream) ?? [];
        byStream.set(stream, events);
        events.push({
          type: 'ProgressReported',
          data: progress(stream.revision + 1 + events.length, sentUs),
          metadata: metadata(),
        });
      }
      for (const [stream, events] of byStream) {
        const expected = stream.revision;
        stream.revision += events.length;
        await runtime.store.appendToStream(stream.streamId, events, expected);
      }
    },
  };
}

/** Nchan's publisher: HTTP POSTs pipelined on one keep-alive connection to nginx (its CPU is not counted). */
async function nchanPublisher() {
  const socket = await new Promise((resolve, reject) => {
    const s = net.connect(Number(process.env.NGINX_PORT), '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  socket.setNoDelay(true);
  socket.on('data', () => {});
  let names = [];
  let uuids = [];
  let seqs = [];
  return {
    channels(n) {
      const run = Date.now().toString(36);
      names = Array.from({ length: n }, (_, i) => `n${run}x${i}`);
      uuids = names.map(() => newChannelUuid());
      seqs = names.map(() => 0);
      return { sse: names.map((name) => `/sub/${name}`), nextSeq: 1 };
    },
    publishOne(i) {
      const c = i % names.length;
      const body = progressPayload(uuids[c], ++seqs[c], monoUs());
      socket.write(
        `POST /pub/${names[c]} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    },
  };
}

const make = {
  'bare-sse': bareSse,
  'bare-ws': bareWs,
  'bare-io': bareIo,
  project: () => project(true),
  'project-workers': () => project(false),
  'nchan-pub': nchanPublisher,
}[kind];
if (!make) throw new Error(`unknown server ${kind}`);
const server = await make();
/** Event i, or with `publishMany` `count` events from i (the project appends them in one call per stream). */
const publishMany =
  server.publishMany ??
  ((first, count) => {
    for (let i = first; i < first + count; i++) server.publishOne(i);
  });
serveRequests({
  channels: (n) => server.channels(n),
  /** process.memoryUsage() after a full GC when the process runs with --expose-gc. */
  memory: () => {
    globalThis.gc?.();
    return process.memoryUsage();
  },
  snapshot: (path) => v8.writeHeapSnapshot(path),
  /** `count` events at `rate` events/s, `batch` at a time. */
  publish: (count, rate, batch) => {
    const size = batch || 1; // null when the orchestrator left it out (IPC is JSON)
    return paced(Math.ceil(count / size), rate / size, (j) => publishMany(j * size, Math.min(size, count - j * size)));
  },
});
// Stopped (SIGTERM), it exits as a process does at its end: a --cpu-prof profile is written.
process.once('SIGTERM', () => process.exit(0));
process.send({ ready: true });
