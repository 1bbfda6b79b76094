// The servers under test, one per process: `node servers.mjs <kind>` (bare-sse, bare-ws,
// project, nchan-pub). Each listens on PORT and answers the orchestrator's requests:
// channel() -> { sse?, ws?, nextSeq } and publish(count, rate).
import { Buffer } from 'node:buffer';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebSocketServer } from 'ws';
import { monoUs, newChannelUuid, paced, progressPayload, serveRequests } from './common.mjs';

const PORT = Number(process.env.PORT);
const kind = process.argv[2];

/** node:http SSE: one frame per event, the same string written to every response. */
function bareSse() {
  const subs = new Set();
  const uuid = newChannelUuid();
  let seq = 0;
  http
    .createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.write('retry: 3000\n\n');
      subs.add(res);
      res.on('close', () => subs.delete(res));
    })
    .listen(PORT, '127.0.0.1', 4096);
  return {
    channel: () => ({ sse: '/sub/c', nextSeq: 1 }),
    publishOne: () => {
      seq++;
      const frame = `id: ${seq}\ndata: ${progressPayload(uuid, seq, monoUs())}\n\n`;
      for (const res of subs) res.write(frame);
    },
  };
}

/** `ws` broadcast: one text per event, sent to every client. */
function bareWs() {
  const server = http.createServer((_, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const uuid = newChannelUuid();
  let seq = 0;
  server.listen(PORT, '127.0.0.1', 4096);
  return {
    channel: () => ({ ws: '/ws', nextSeq: 1 }),
    publishOne: () => {
      seq++;
      const payload = progressPayload(uuid, seq, monoUs());
      const text = `{"id":${seq},${payload.slice(1)}`;
      for (const client of wss.clients) client.send(text);
    },
  };
}

/** The project's API from its build, as apps/api/src/main.ts starts it; events appended to its store. */
async function project() {
  const dist = (path) => import(pathToFileURL(join(process.env.PROJECT_DIR, 'dist', path)).href);
  const { ANONYMOUS_PRINCIPAL, createPinoLogger, createRuntime, isEmbedded, loadSettings, newId, resolveAuthMode } =
    await dist('libs/platform/src/index.js');
  const { investigationStreamId } = await dist('libs/investigations/src/index.js');
  const { startWorkersFromRuntime } = await dist('apps/workers/src/index.js');
  const { startApi } = await dist('apps/api/src/bootstrap.js');
  const settings = loadSettings();
  resolveAuthMode(settings);
  const runtime = await createRuntime(settings, createPinoLogger(settings.LOG_LEVEL, { service: 'api' }));
  if (isEmbedded(settings) || settings.RUN_WORKERS) await startWorkersFromRuntime(runtime);
  await startApi(runtime, PORT, '127.0.0.1');
  const at = () => new Date().toISOString();
  const metadata = () => ({
    eventId: newId(),
    commandId: newId(),
    correlationId: newId(),
    userId: ANONYMOUS_PRINCIPAL.id,
    occurredAt: at(),
  });
  let streamId = '';
  let revision = 1;
  return {
    async channel() {
      const id = newId();
      streamId = investigationStreamId(id);
      revision = 1;
      const data = {
        investigationId: id,
        query: 'bench: peers',
        dataSource: 'synthetic',
        filters: {},
        anomalyTypes: [],
        startedAt: at(),
      };
      await runtime.store.appendToStream(
        streamId,
        [{ type: 'InvestigationStarted', data, metadata: metadata() }],
        'no_stream',
      );
      return { sse: `/api/v1/investigations/stream/${id}`, ws: `/api/v1/ws/investigations/${id}`, nextSeq: 1 };
    },
    async publishOne() {
      const expected = revision++;
      const data = {
        page: expected,
        progress: 50,
        currentPhase: 'analyzing_contracts',
        recordsProcessed: monoUs(),
        anomaliesDetected: 0,
        totalEstimate: null,
        lastPage: false,
        at: at(),
      };
      await runtime.store.appendToStream(
        streamId,
        [{ type: 'ProgressReported', data, metadata: metadata() }],
        expected,
      );
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
  const uuid = newChannelUuid();
  const name = `n${Date.now().toString(36)}`;
  let seq = 0;
  return {
    channel: () => ({ sse: `/sub/${name}`, nextSeq: 1 }),
    publishOne: () => {
      const body = progressPayload(uuid, ++seq, monoUs());
      socket.write(
        `POST /pub/${name} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    },
  };
}

const make = { 'bare-sse': bareSse, 'bare-ws': bareWs, project, 'nchan-pub': nchanPublisher }[kind];
if (!make) throw new Error(`unknown server ${kind}`);
const server = await make();
serveRequests({
  channel: () => server.channel(),
  publish: (count, rate) => paced(count, rate, () => server.publishOne()),
});
process.send({ ready: true });
