import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'node:net';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';
import { rawHttpConnection, type RawHttpConnection } from '../../../../test/support/raw-http.js';
import { waitUntil } from '../../../../test/support/wait-until.js';

let app: EmbeddedApp;
const sockets: Socket[] = [];

beforeAll(async () => {
  // 10,000 bytes per body, 40,000 being read at once, a quarter (10,000) per address.
  app = await startEmbeddedApp({ MAX_BODY_BYTES: '10000', MAX_BODY_BYTES_IN_FLIGHT: '40000' });
});
afterEach(() => sockets.splice(0).forEach((socket) => socket.destroy()));
afterAll(async () => {
  await app?.stop();
});

type SlowBody = RawHttpConnection;

/** A POST from `address` that promises `length` bytes of body and sends ten of them. */
async function slowBody(address: string, path: string, length: number): Promise<SlowBody> {
  const connection = await rawHttpConnection(app.url, address);
  sockets.push(connection.socket);
  connection.socket.write(
    `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n{"query":`,
  );
  return connection;
}

const inFlight = async (): Promise<number> =>
  (await app.runtime.metrics.requestBodyBytesInFlight.get()).values[0]?.value ?? 0;

/** Waits until the server holds `bytes` of bodies being read: the ones sent so far are being read, none answered. */
async function reading(bytes: number, ...bodies: SlowBody[]): Promise<void> {
  await waitUntil(async () => ((await inFlight()) === bytes ? true : undefined), `${bytes} bytes of bodies being read`);
  expect(bodies.map((body) => body.received())).toEqual(bodies.map(() => ''));
}

/** The answer to a body the server refused without reading it. */
async function refusal(body: SlowBody): Promise<{ status: string; retryAfter: string | null; body: unknown }> {
  const whole = (): string | undefined => {
    const answer = body.received();
    const end = answer.indexOf('\r\n\r\n');
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(answer.slice(0, end))?.[1] ?? Number.NaN);
    return end >= 0 && Buffer.byteLength(answer.slice(end + 4)) >= length ? answer : undefined;
  };
  const answer = await waitUntil(whole, 'the answer');
  const end = answer.indexOf('\r\n\r\n');
  const head = answer.slice(0, end);
  return {
    status: head.split(' ')[1] ?? '',
    retryAfter: /\r\nretry-after: (\d+)/i.exec(head)?.[1] ?? null,
    body: JSON.parse(answer.slice(end + 4)) as unknown,
  };
}

const tooManyBodies = (status: string, message: string) => ({
  status,
  retryAfter: '1',
  body: { error_code: 'TOO_MANY_REQUEST_BODIES', message },
});

describe('request bodies being read, within a budget', () => {
  it('refuses the bodies past an address’s share with 429 and past the server’s with 503, unread, and takes them again once released', async () => {
    // Through Express (investigations) and through the stream routes' own path (chat).
    const first = await slowBody('127.0.0.1', '/api/v1/investigations', 5000);
    const second = await slowBody('127.0.0.1', '/api/v1/chat/stream', 5000);
    await reading(10_000, first, second);
    const overShare = await slowBody('127.0.0.1', '/api/v1/investigations', 5000);
    expect(await refusal(overShare)).toEqual(
      tooManyBodies('429', 'this address is already sending 10000 bytes of request bodies; at most 10000 at once'),
    );
    // Its body is not waited for.
    await overShare.closed;

    const others = [];
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4'])
      for (const path of ['/api/v1/investigations', '/api/v1/chat/stream'])
        others.push(await slowBody(address, path, 5000));
    await reading(40_000, first, second, ...others);
    const serverFull = await slowBody('127.0.0.5', '/api/v1/chat/stream', 1);
    expect(await refusal(serverFull)).toEqual(
      tooManyBodies(
        '503',
        'this server is already reading 40000 bytes of request bodies (MAX_BODY_BYTES_IN_FLIGHT); retry shortly',
      ),
    );
    await serverFull.closed;
    // Requests without a body are not held up.
    expect((await fetch(`${app.url}/api/v1/investigations?limit=1`)).status).toBe(200);

    // A client that goes away releases what its body held.
    first.socket.destroy();
    others[0]?.socket.destroy();
    await reading(30_000);
    await waitUntil(async () => {
      const res = await fetch(`${app.url}/api/v1/investigations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: 'contratos de limpeza', data_source: 'contracts' }),
      });
      return res.status === 202 ? true : undefined;
    }, 'a body to be read again');
  });

  it('releases what a refused or finished body held', async () => {
    // Over MAX_BODY_BYTES: refused before any of it is read, the connection closed.
    const tooLarge = await slowBody('127.0.0.6', '/api/v1/investigations', 20_000);
    expect(await refusal(tooLarge)).toEqual({
      status: '413',
      retryAfter: null,
      body: { error_code: 'PAYLOAD_TOO_LARGE', message: 'the request body is too large' },
    });
    await tooLarge.closed;
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${app.url}/api/v1/investigations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"query": 1}',
      });
      expect(res.status).toBe(400);
    }
    await reading(0);
    const whole = await slowBody('127.0.0.6', '/api/v1/investigations', 9000);
    const second = await slowBody('127.0.0.6', '/api/v1/investigations', 1000);
    await reading(10_000, whole, second);
  });
});
