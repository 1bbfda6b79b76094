import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { WebSocket, type ClientOptions } from 'ws';
import {
  openWs,
  wsUrl,
  type WsMessage,
  type WsTestClient,
} from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { MAX_INBOUND_FRAME_BYTES } from '../apps/api/src/websocket/ws-messages.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { finishedInvestigation } from './support/finished-investigation.js';

/** permessage-deflate on the raw WebSocket endpoints, with a client that offers it and one that does not. */
let app: EmbeddedApp;
beforeAll(async () => {
  app = await startEmbeddedApp({
    SYNTHETIC_CONTRACTS: '600',
    INVESTIGATION_PAGE_SIZE: '50',
    WEBSOCKET_PERMESSAGE_DEFLATE: 'true',
    WEBSOCKET_DEFLATE_WINDOW_BITS: '10',
    WEBSOCKET_DEFLATE_THRESHOLD: '64',
  });
});
afterAll(async () => {
  await app?.stop();
});

interface Watched {
  readonly client: WsTestClient;
  /** The handshake's Sec-WebSocket-Extensions answer ('' when none). */
  readonly extensions: string;
  readonly messages: WsMessage[];
  /** Bytes the socket carried, the handshake's answer included. */
  readonly wireBytes: number;
  /** The messages' own bytes, as text. */
  readonly textBytes: number;
}

async function watch(id: string, options: ClientOptions): Promise<Watched> {
  const client = openWs(wsUrl(app.url, `/api/v1/ws/investigations/${id}`), options);
  let extensions = '';
  let socket: { readonly bytesRead: number } | null = null;
  client.ws.once('upgrade', (res: IncomingMessage) => {
    extensions = String(res.headers['sec-websocket-extensions'] ?? '');
    socket = res.socket;
  });
  let textBytes = 0;
  client.ws.on('message', (data: Buffer) => (textBytes += data.length));
  expect(await client.closed).toEqual({ code: 1000, reason: 'investigation finished' });
  const wireBytes = (socket as { readonly bytesRead: number } | null)?.bytesRead ?? 0;
  return { client, extensions, messages: client.messages, wireBytes, textBytes };
}

describe('permessage-deflate on /api/v1/ws/investigations/{id}', () => {
  it('compresses for a client that offers it, within the configured window, and the messages are the same', async () => {
    const id = await finishedInvestigation(app.url);
    const plain = await watch(id, { perMessageDeflate: false });
    const deflated = await watch(id, { perMessageDeflate: { serverMaxWindowBits: 15 } });

    expect(plain.extensions).toBe('');
    expect(plain.client.ws.extensions).toBe('');
    expect(deflated.extensions).toMatch(/^permessage-deflate\b/);
    expect(deflated.extensions).toContain('server_max_window_bits=10');
    expect(deflated.messages).toEqual(plain.messages);
    expect(deflated.messages.at(-1)?.type).toBe('complete');
    // Plain frames carry at least the text; deflated ones much less.
    expect(plain.wireBytes).toBeGreaterThanOrEqual(plain.textBytes);
    expect(deflated.wireBytes).toBeLessThan(plain.textBytes / 2);
  });

  it('refuses with 400 a client that insists on a smaller server window than the configured one', async () => {
    const id = await finishedInvestigation(app.url);
    const ws = new WebSocket(wsUrl(app.url, `/api/v1/ws/investigations/${id}`), {
      perMessageDeflate: { serverMaxWindowBits: 9 },
    });
    ws.on('error', () => undefined);
    const status = await new Promise<number>((resolve, reject) => {
      ws.once('unexpected-response', (_req, res: IncomingMessage) => {
        resolve(res.statusCode ?? 0);
        res.resume();
      });
      ws.once('open', () => reject(new Error('the handshake was accepted')));
    });
    expect(status).toBe(400);
    ws.terminate();
  });

  it('refuses a compressed message that inflates past the payload limit, and keeps serving', async () => {
    const ws = new WebSocket(wsUrl(app.url, '/api/v1/ws/chat/zip-bomb'), { perMessageDeflate: true });
    ws.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('close', () => reject(new Error('closed before opening')));
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
    const sent = new Promise<number>((resolve) => {
      const socket = Reflect.get(ws, '_socket') as { bytesWritten: number };
      const before = socket.bytesWritten;
      // Eight times the limit of zeros: a few kilobytes once deflated.
      ws.send(`"${'0'.repeat(8 * MAX_INBOUND_FRAME_BYTES)}"`, { compress: true }, () =>
        resolve(socket.bytesWritten - before),
      );
    });
    expect(await sent).toBeLessThan(64 * 1024);
    expect(await closed).toBe(1009);

    const id = await finishedInvestigation(app.url);
    const after = await watch(id, { perMessageDeflate: true });
    expect(after.messages.at(-1)?.type).toBe('complete');
  });
});
