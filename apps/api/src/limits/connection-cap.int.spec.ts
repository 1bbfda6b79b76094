import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'node:net';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';
import { rawHttpConnection, type RawHttpConnection } from '../../../../test/support/raw-http.js';
import { waitUntil } from '../../../../test/support/wait-until.js';

let app: EmbeddedApp;
const sockets: Socket[] = [];

beforeAll(async () => {
  app = await startEmbeddedApp({ MAX_CONNECTIONS_PER_IP: '5' });
});
afterEach(() => sockets.splice(0).forEach((socket) => socket.destroy()));
afterAll(async () => {
  await app?.stop();
});

async function connection(address: string): Promise<RawHttpConnection> {
  const opened = await rawHttpConnection(app.url, address);
  sockets.push(opened.socket);
  return opened;
}

/** A GET /health on the connection: its status line, or 'closed' if the server closed it first. */
async function health(connection: RawHttpConnection): Promise<string> {
  connection.socket.on('error', () => undefined);
  connection.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
  return Promise.race([
    waitUntil(
      () => (connection.received().includes('\r\n') ? connection.received().split('\r\n')[0] : undefined),
      'an answer',
    ),
    connection.closed.then(() => 'closed'),
  ]);
}

const refused = async (): Promise<number> => (await app.runtime.metrics.connectionsRefused.get()).values[0]?.value ?? 0;

describe('connections per peer address (MAX_CONNECTIONS_PER_IP)', () => {
  it('closes the ones past the cap as they are accepted, for that address only, and takes new ones once some close', async () => {
    const held = [];
    for (let i = 0; i < 5; i++) held.push(await connection('127.0.0.7'));
    const before = await refused();
    const sixth = await connection('127.0.0.7');
    expect(await health(sixth)).toBe('closed');
    expect(sixth.received()).toBe('');
    expect(await refused()).toBe(before + 1);
    // Another address is not held up, and the held ones are served.
    expect(await health(await connection('127.0.0.8'))).toBe('HTTP/1.1 200 OK');
    expect(await health(held[0] as RawHttpConnection)).toBe('HTTP/1.1 200 OK');

    held[1]?.socket.destroy();
    held[2]?.socket.destroy();
    await waitUntil(
      async () => ((await health(await connection('127.0.0.7'))) === 'HTTP/1.1 200 OK' ? true : undefined),
      'a connection from the address again',
    );
  });
});
