import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Server } from 'node:net';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';
import { rawHttpConnection, type RawHttpConnection } from '../../../../test/support/raw-http.js';
import { waitUntil } from '../../../../test/support/wait-until.js';

let app: EmbeddedApp;

beforeAll(async () => {
  app = await startEmbeddedApp();
});

afterAll(async () => {
  await app?.stop();
});

/** A raw connection to the API: what it was sent, what it answered, and whether it was closed. */
const open = (): Promise<RawHttpConnection> => rawHttpConnection(app.url);

/** Sends raw bytes on a new connection and reads until the server closes it. */
async function exchange(bytes: Buffer | string): Promise<string> {
  const connection = await open();
  connection.socket.write(bytes);
  await connection.closed;
  return connection.received();
}

/** Sends `first` on a new connection, waits for `seen` in the answer, sends `then`, and reads until the server closes it. */
async function twoOnOneConnection(first: string, seen: string, then: string): Promise<string> {
  const connection = await open();
  connection.socket.write(first);
  await waitUntil(() => connection.received().includes(seen) || undefined, `${seen} in the answer`);
  connection.socket.write(then);
  await connection.closed;
  return connection.received();
}

function jsonBodyOf(answer: string): unknown {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
}

async function healthy(): Promise<number> {
  return (await fetch(`${app.url}/health`)).status;
}

describe('requests the HTTP parser refuses', () => {
  it('answers a URL with raw bytes outside ASCII with a JSON 400 that says to percent-encode it', async () => {
    const answer = await exchange(
      Buffer.from('GET /api/v1/investigations?q=saúde&limit=2 HTTP/1.1\r\nHost: x\r\n\r\n', 'utf8'),
    );
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(answer).toContain('Content-Type: application/json');
    expect(answer).toContain('Connection: close');
    expect(jsonBodyOf(answer)).toEqual({
      error_code: 'MALFORMED_REQUEST',
      message: expect.stringContaining('percent-encode'),
    });
    // The same query percent-encoded is an ordinary request.
    expect((await fetch(`${app.url}/api/v1/investigations?q=sa%C3%BAde&limit=2`)).status).toBe(200);
  });

  it('answers a request line that is not HTTP with a JSON 400', async () => {
    const answer = await exchange('HELLO THERE\r\n\r\n');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(jsonBodyOf(answer)).toEqual({ error_code: 'MALFORMED_REQUEST', message: expect.any(String) });
  });

  it('answers an HTTP/1.1 request without Host with a JSON 400, and HTTP/1.0 as usual', async () => {
    const answer = await exchange('GET /health HTTP/1.1\r\n\r\n');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(jsonBodyOf(answer)).toEqual({ error_code: 'MISSING_HOST', message: expect.any(String) });
    expect((await exchange('GET /health HTTP/1.0\r\n\r\n')).split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });

  it('answers headers over the limit with a JSON 431', async () => {
    const answer = await exchange(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`);
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(jsonBodyOf(answer)).toEqual({ error_code: 'HEADERS_TOO_LARGE', message: expect.any(String) });
  });

  it('answers a bad request after a good one on a kept-alive connection, and closes it', async () => {
    const received = await twoOnOneConnection(
      'GET /health HTTP/1.1\r\nHost: x\r\n\r\n',
      '"status"',
      'GET /x?q=ç HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const answers = received.split('HTTP/1.1 ').slice(1);
    expect(answers.map((answer) => answer.slice(0, 3))).toEqual(['200', '400']);
    expect(answers[1]).toContain('MALFORMED_REQUEST');
  });

  it('never writes an error into a response under way: that connection is only closed', async () => {
    const received = await twoOnOneConnection(
      'GET /api/v1/investigations/stream HTTP/1.1\r\nHost: x\r\n\r\n',
      'text/event-stream',
      'NOT HTTP\r\n\r\n',
    );
    expect(received).not.toContain('MALFORMED_REQUEST');
    expect(received.split('HTTP/1.1 ')).toHaveLength(2);
  });

  it('lets go of a client that answers the close with silence, as of one that goes away', async () => {
    const server = app.api.app.getHttpServer() as Server;
    const connections = (): Promise<number> =>
      new Promise((resolve, reject) =>
        server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
    const before = await connections();
    const { port } = new URL(app.url);
    // Half-open allowed: this client never sends its own FIN.
    const socket = connect({ host: '127.0.0.1', port: Number(port), allowHalfOpen: true });
    try {
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.resume();
      socket.write('HELLO THERE\r\n\r\n');
      await waitUntil(
        async () => ((await connections()) === before ? true : undefined),
        'the server to close its socket',
      );
    } finally {
      socket.destroy();
    }
  });

  it('keeps serving everyone else', async () => {
    await Promise.all([exchange('\x00\x01\x02\r\n\r\n'), exchange('GET / HTTP/9.9\r\n\r\n')]);
    expect(await healthy()).toBe(200);
  });
});
