import { connect, type Socket } from 'node:net';

/** A raw connection to an HTTP server: what it answered so far, and when it closed. */
export interface RawHttpConnection {
  readonly socket: Socket;
  received(): string;
  readonly closed: Promise<void>;
}

/** Connects to the server at `url` (from `localAddress`, a loopback address of this machine, when given). */
export async function rawHttpConnection(url: string, localAddress?: string): Promise<RawHttpConnection> {
  const socket = connect({
    host: '127.0.0.1',
    port: Number(new URL(url).port),
    ...(localAddress === undefined ? {} : { localAddress }),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => text, closed };
}
