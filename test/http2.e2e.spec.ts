import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { request } from 'node:https';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import WebSocket from 'ws';
import { InvalidSettingsError, loadSettings } from '#platform';
import { startApiProcess, type ApiProcess } from './support/api-process.js';
import { selfSignedCert } from './support/self-signed-cert.js';

/**
 * TLS_CERT/TLS_KEY: one HTTPS port that speaks HTTP/2 (several SSE streams on one
 * connection) and HTTP/1.1 (plain clients, WebSocket upgrades), against the built API.
 */
const tls = selfSignedCert();
const { dir, certFile, keyFile, ca } = tls;
let api: ApiProcess;
let url: string;
const sessions: ClientHttp2Session[] = [];

beforeAll(async () => {
  api = await startApiProcess({
    TLS_CERT: certFile,
    TLS_KEY: keyFile,
    SYNTHETIC_CONTRACTS: '2000',
    INVESTIGATION_STEP_DELAY_MS: '20',
  });
  url = api.url.replace(/^http:/, 'https:');
}, 60_000);

afterAll(async () => {
  for (const session of sessions) session.destroy();
  await api?.dispose();
  tls.remove();
});

interface Http2Answer {
  readonly headers: IncomingHttpHeaders;
  /** Resolves with the body once it holds `until` (or ended). */
  readonly body: Promise<string>;
  close(): void;
}

function h2(
  session: ClientHttp2Session,
  path: string,
  until: (text: string) => boolean,
  body?: unknown,
): Promise<Http2Answer> {
  // As browsers do, a body comes with its length: Express's body parser reads none without it.
  const text = body === undefined ? undefined : JSON.stringify(body);
  const stream = session.request({
    ':method': text === undefined ? 'GET' : 'POST',
    ':path': path,
    ...(text === undefined
      ? {}
      : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }),
  });
  stream.end(text);
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.once('response', (headers) => {
      let text = '';
      const done = new Promise<string>((settle) => {
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          text += chunk;
          if (until(text)) settle(text);
        });
        stream.once('close', () => settle(text));
      });
      resolve({ headers, body: done, close: () => stream.close() });
    });
  });
}

function https1(path: string): Promise<{ status: number; version: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, version: res.httpVersion, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('HTTPS with TLS_CERT and TLS_KEY', () => {
  it('serves HTTP/2: commands and several SSE streams on one connection', async () => {
    const session = connect(url, { ca });
    sessions.push(session);
    await new Promise<void>((resolve, reject) => {
      session.once('connect', () => resolve());
      session.once('error', reject);
    });
    expect(session.alpnProtocol).toBe('h2');

    const started = await h2(session, '/api/v1/investigations', (t) => t.endsWith('}'), {
      query: 'Contratos de saúde acima de R$ 1 milhão',
      data_source: 'synthetic',
    });
    expect(started.headers[':status']).toBe(202);
    const { investigation_id: id } = JSON.parse(await started.body) as { investigation_id: string };

    const hasEvent = (t: string): boolean => /\ndata: \{.*"type":"complete"/.test(t);
    const [own, multiplexed] = await Promise.all([
      h2(session, `/api/v1/investigations/stream/${id}`, hasEvent),
      h2(session, `/api/v1/streams?subscribe=investigation:${id}`, hasEvent),
    ]);
    for (const answer of [own, multiplexed]) {
      expect(answer.headers[':status']).toBe(200);
      expect(answer.headers['content-type']).toContain('text/event-stream');
    }
    const [ownText, multiplexedText] = await Promise.all([own.body, multiplexed.body]);
    multiplexed.close();
    expect(ownText).toContain('"type":"complete"');
    expect(multiplexedText).toContain(`"stream":"investigation:${id}","type":"complete"`);

    const health = await h2(session, '/health', () => false);
    expect(health.headers[':status']).toBe(200);
    expect(JSON.parse(await health.body)).toMatchObject({ status: expect.any(String) });
    // Nothing the API wrote is an error or a warning outside its log (a header HTTP/2 refuses, say).
    expect(api.errorLines()).toEqual([]);
  }, 120_000);

  it('serves HTTP/1.1 on the same port: plain requests and WebSocket upgrades', async () => {
    const health = await https1('/health');
    expect({ status: health.status, version: health.version }).toEqual({ status: 200, version: '1.1' });

    const ws = new WebSocket(`${url.replace(/^https/, 'wss')}/api/v1/ws`, { ca });
    const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as Record<string, unknown>));
      ws.once('error', reject);
    });
    expect(first).toMatchObject({ type: 'connected' });
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.close();
    await closed;
  }, 60_000);

  it('answers an HTTP/1.1 request it cannot parse with a JSON 400, as on plain HTTP', async () => {
    const { port } = new URL(url);
    const socket = connectTls({
      host: '127.0.0.1',
      port: Number(port),
      ca,
      ALPNProtocols: ['http/1.1'],
    });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(Buffer.from('GET /api/v1/investigations?q=saúde HTTP/1.1\r\nHost: localhost\r\n\r\n', 'utf8'));
    await closed;
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ error_code: 'MALFORMED_REQUEST' });
  });

  it('refuses to start with one of the pair, or a file that is not PEM, saying which', () => {
    const problems = (env: Record<string, string>): string => {
      try {
        loadSettings(env);
      } catch (error) {
        if (error instanceof InvalidSettingsError) return error.problems.join('\n');
        throw error;
      }
      return '';
    };
    expect(problems({ TLS_CERT: certFile })).toContain('TLS_KEY');
    expect(problems({ TLS_CERT: certFile })).toContain('both or neither');
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(problems({ TLS_CERT: notPem, TLS_KEY: keyFile })).toMatch(/TLS_CERT.*not a PEM file holding a certificate/);
    expect(problems({ TLS_CERT: certFile, TLS_KEY: join(dir, 'missing.pem') })).toMatch(
      /TLS_KEY.*cannot be read \(ENOENT\)/,
    );
    expect(problems({ TLS_CERT: certFile, TLS_KEY: keyFile })).toBe('');
  });
});
