import { createServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setImmediate as turn } from 'node:timers/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { pendingBytes, StreamingCompressionMiddleware } from '#platform';
import { perMessageDeflateOptions } from '../../apps/api/src/websocket/ws-deflate.js';
import { encodeTextFrame } from '../../apps/api/src/websocket/ws-peer.js';
import { frameText, type WireCase } from './wire-cases.js';

/**
 * The server side of the wire-cost bench, in a process of its own so that its CPU time is
 * the server's alone: one stream of events written to every subscriber, as the hubs do (one
 * frame built per event; per connection only what the case's compression makes of it).
 * Talks to the bench over IPC: 'ready' with its port, 'publish' → 'published', 'cpu'.
 */
const wireCase = JSON.parse(process.env.WIRE_CASE ?? '{}') as WireCase;
const sse: ServerResponse[] = [];
const ws: Array<{ readonly ws: WebSocket; readonly socket: Socket; readonly deflating: boolean }> = [];
const BUFFER_LIMIT = 65_536;

const compression = new StreamingCompressionMiddleware({
  minimumSize: 256,
  compressionLevel: 6,
  chunkSize: 8192,
  adaptive: wireCase.mode === 'adaptive',
  minFrameBytes: 64,
});
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: perMessageDeflateOptions(
    wireCase.mode === 'deflate'
      ? { windowBits: wireCase.windowBits ?? 10, memLevel: 6, level: 6, threshold: 64, concurrency: 10 }
      : false,
  ),
});

const server = createServer((req, res) => {
  const start = (): void => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    res.write('retry: 3000\n\n');
    sse.push(res);
  };
  if (wireCase.mode === 'never') start();
  else compression.use(req, res, start);
});
server.on('upgrade', (req, socket, head) =>
  wss.handleUpgrade(req, socket, head, (client) =>
    ws.push({ ws: client, socket: socket as Socket, deflating: client.extensions.includes('permessage-deflate') }),
  ),
);

/** Waits while any subscriber holds more than the buffer limit: the hub's pacing, without leaving it. */
async function paced(): Promise<void> {
  for (;;) {
    const full =
      sse.some((res) => !res.destroyed && pendingBytes(res) > BUFFER_LIMIT) ||
      ws.some((c) => c.ws.readyState === c.ws.OPEN && c.ws.bufferedAmount > BUFFER_LIMIT);
    if (!full) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function publish(): Promise<void> {
  for (let i = 0; i < wireCase.events; i++) {
    const text = frameText(wireCase.kind, i);
    if (wireCase.transport === 'sse') {
      const bytes = Buffer.from(`id: ${i + 1}\ndata: ${text}\n\n`);
      for (const res of sse) res.write(bytes);
    } else {
      const framed = encodeTextFrame(text);
      // What WsPeer does: a deflating peer's message through ws's compressor, the shared frame to the others.
      for (const c of ws)
        if (c.deflating) c.ws.send(text, { compress: text.length >= 64 });
        else c.socket.write(framed);
    }
    if (wireCase.paceMs > 0) await new Promise((resolve) => setTimeout(resolve, wireCase.paceMs));
    else await turn();
    await paced();
  }
  for (const res of sse) res.end();
  for (const c of ws) c.ws.close(1000, 'done');
}

process.on('message', (message: string) => {
  if (message === 'publish') void publish().then(() => process.send?.({ published: true }));
  if (message === 'count') process.send?.({ count: sse.length + ws.length });
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
