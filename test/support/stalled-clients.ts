import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';

/**
 * Clients that ask for a stream and then never read: the kernel buffers fill, then
 * whatever the server keeps for them. Each is a real connection held open until closed.
 */
export interface StalledClient {
  readonly kind: string;
  close(): void;
}

/** A stalled HTTP client whose socket a test may read from later, as a client that comes back would. */
export interface StalledHttpClient extends StalledClient {
  readonly socket: Socket;
}

/** An HTTP GET sent by hand, its answer never read. */
export function stalledHttp(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
): Promise<StalledHttpClient> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(url.port), url.hostname, () => {
      const lines = [
        `GET ${path} HTTP/1.1`,
        `Host: ${url.host}`,
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        '',
        '',
      ];
      socket.write(lines.join('\r\n'));
      socket.pause();
      resolve({
        kind: `http ${path.split('?')[0]} ${headers['Accept-Encoding'] ?? 'identity'}`,
        socket,
        close: () => socket.destroy(),
      });
    });
    socket.once('error', reject);
  });
}

/** A raw WebSocket that does not read what it is sent: it may still write. */
export interface StalledWebSocket extends StalledClient {
  send(text: string): void;
}

/** A raw WebSocket that completes its handshake, optionally sends messages, then stops reading. */
export function stalledWebSocket(
  url: string,
  messages: readonly string[] = [],
  ready?: (text: string) => boolean,
): Promise<StalledWebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { 'Sec-WebSocket-Key': randomBytes(16).toString('base64') } });
    const stall = (): void => {
      (ws as unknown as { _socket: Socket })._socket.pause();
      resolve({
        kind: `websocket ${new URL(url).pathname}`,
        send: (text) => ws.send(text),
        close: () => ws.terminate(),
      });
    };
    ws.once('open', () => {
      for (const message of messages) ws.send(message);
      if (!ready) stall();
    });
    if (ready) {
      ws.on('message', (data: Buffer) => {
        if (ready(data.toString())) stall();
      });
    }
    ws.once('error', reject);
  });
}
