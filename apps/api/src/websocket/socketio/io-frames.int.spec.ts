import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { WireFrame } from '../../streaming/wire-frame.js';
import { emitFrame } from './io-frames.js';

describe('emitFrame', () => {
  let http: HttpServer | null = null;
  let server: Server | null = null;
  const clients: ClientSocket[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await new Promise<void>((resolve) => (server ? void server.close(() => resolve()) : resolve()));
    http = null;
    server = null;
  });

  it('encodes a frame and its WebSocket frame once for every socket of a namespace, each receiving what emit would send', async () => {
    http = createServer();
    server = new Server(http);
    const sockets: Socket[] = [];
    server.of('/investigations').on('connection', (socket) => sockets.push(socket));
    await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    const received: Array<Promise<unknown>> = [];
    for (let i = 0; i < 3; i++) {
      const client = connect(`http://127.0.0.1:${port}/investigations`, { transports: ['websocket'] });
      clients.push(client);
      received.push(new Promise((resolve) => client.once('progress', resolve)));
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    }
    let encodes = 0;
    const encoder = server.encoder;
    const encode = encoder.encode.bind(encoder);
    encoder.encode = (packet) => {
      encodes++;
      return encode(packet);
    };
    // A websocket transport that writes a pre-framed message leaves its WebSocket's own send alone.
    let perSocketSends = 0;
    for (const socket of sockets) {
      const ws = (socket.conn.transport as unknown as { socket: { send: (...args: unknown[]) => void } }).socket;
      const send = ws.send.bind(ws);
      ws.send = (...args: unknown[]) => {
        perSocketSends++;
        send(...args);
      };
    }
    const frame = new WireFrame(4, { type: 'progress', progress: 40 });
    for (const socket of sockets) emitFrame(socket, frame);
    expect(await Promise.all(received)).toEqual([frame.message, frame.message, frame.message]);
    expect(encodes).toBe(1);
    expect(perSocketSends).toBe(0);
  });
});
