import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestOptions,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { Express } from 'express';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';
import { waitUntil } from '../../../../test/support/wait-until.js';

/**
 * The stream routes are served before Express; each answer here is compared with the one
 * Express gives to the same request. A GET with an (empty) chunked body is one the fast
 * path leaves to Express, which is how the test reaches the Express way; a POST reaches it
 * through a second HTTP server of the same Express app, without the fast path.
 */
const ORIGIN = 'https://dashboard.example';
/** Headers that differ from one answer to the next: dates, request ids, each chat's ids and secret. */
const VOLATILE = new Set([
  'date',
  'x-request-id',
  'x-correlation-id',
  'x-session-id',
  'x-message-id',
  'x-chat-session-token',
]);

let app: EmbeddedApp;
/** The same Express app (Nest's routes and middleware) behind a server of its own: no fast path. */
let expressOnly: Server;
let expressOnlyUrl = '';

/** `embedded`'s Express app (Nest's routes and middleware) behind an HTTP server of its own, without the fast path. */
async function serveWithoutFastPath(embedded: EmbeddedApp): Promise<Server> {
  const server = createServer(embedded.api.app.getHttpAdapter().getInstance() as Express);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Express's app function hands every request it gets to app.handle: counted, to know who answered. */
function countExpressCalls(embedded: EmbeddedApp, count: () => void): void {
  const expressApp = embedded.api.app.getHttpAdapter().getInstance() as Express;
  const handle = (Reflect.get(expressApp, 'handle') as (...args: unknown[]) => unknown).bind(expressApp);
  Object.assign(expressApp, {
    handle: (...args: unknown[]) => {
      count();
      return handle(...args);
    },
  });
}

const urlOf = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function closeServer(server: Server | undefined): Promise<void> {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
}
let expressCalls = 0;
let finished = '';
const held: Array<() => void> = [];

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The whole body of an answer that ends; the first bytes (gunzipped) of a stream. */
  readonly body: string;
}

/** One request over node:http, ending with `body`. A stream is held open until `release`. */
function exchange(url: string, options: RequestOptions, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...options, headers: { Origin: ORIGIN, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      const answer = (): Answer => {
        const raw = Buffer.concat(chunks);
        const text = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw, { finishFlush: 2 }) : raw;
        return { status: res.statusCode ?? 0, headers: res.headers, body: text.toString('utf8') };
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (res.headers['content-type']?.startsWith('text/event-stream')) {
          held.push(() => req.destroy());
          resolve(answer());
        }
      });
      res.on('end', () => resolve(answer()));
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** One GET; `viaExpress` sends an empty chunked body. */
const get = (path: string, headers: Record<string, string>, viaExpress: boolean): Promise<Answer> =>
  exchange(`${app.url}${path}`, { headers: viaExpress ? { ...headers, 'Transfer-Encoding': 'chunked' } : headers });

/** One POST of `body` to `base`'s chat stream. */
const postChat = (base: string, body: string | Buffer, headers: Record<string, string>): Promise<Answer> =>
  exchange(
    `${base}/api/v1/chat/stream`,
    { method: 'POST', headers: { 'Content-Length': String(Buffer.byteLength(body)), ...headers } },
    body,
  );

function comparable(headers: IncomingHttpHeaders): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !VOLATILE.has(name)));
}

/** The fast path's answer, after checking Express answers the same (headers, status, body). */
async function sameAnswers(fastWay: () => Promise<Answer>, expressWay: () => Promise<Answer>): Promise<Answer> {
  const before = expressCalls;
  const fast = await fastWay();
  expect(expressCalls).toBe(before);
  const slow = await expressWay();
  expect(expressCalls).toBe(before + 1);
  expect(comparable(fast.headers)).toEqual(comparable(slow.headers));
  expect(fast.status).toBe(slow.status);
  // Neither says what serves it.
  expect(fast.headers['x-powered-by']).toBeUndefined();
  // An open stream starts with its (jittered) retry; an answer that ends must be byte for byte the same.
  if (fast.headers['content-type']?.startsWith('text/event-stream')) expect(fast.body).toMatch(/^retry: \d+\n\n/);
  else expect(fast.body).toBe(slow.body);
  return fast;
}

const sameAsExpress = (path: string, headers: Record<string, string> = {}): Promise<Answer> =>
  sameAnswers(
    () => get(path, headers, false),
    () => get(path, headers, true),
  );

/** A chat POST to the server, and to the Express-only one. */
const sameChatAsNest = (body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> =>
  sameAnswers(
    () => postChat(app.url, body, headers),
    () => postChat(expressOnlyUrl, body, headers),
  );

const bearer = async (sub: string, role: 'analyst' | 'auditor' = 'analyst') => ({
  Authorization: `Bearer ${await app.token(sub, role)}`,
});

async function investigation(sub: string): Promise<string> {
  const res = await fetch(`${app.url}/api/v1/investigations`, {
    method: 'POST',
    headers: { ...(await bearer(sub)), 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: 'contratos de saúde' }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { investigation_id: string }).investigation_id;
}

beforeAll(async () => {
  app = await startEmbeddedApp({
    JWT_SECRET: 'fast-path-secret-fast-path-secret-fast-path',
    CORS_ORIGINS: ORIGIN,
    MAX_STREAMS_PER_USER: '2',
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_PER_MINUTE_IP: '0',
    SYNTHETIC_CONTRACTS: '40',
  });
  countExpressCalls(app, () => expressCalls++);
  expressOnly = await serveWithoutFastPath(app);
  expressOnlyUrl = urlOf(expressOnly);
  finished = await investigation('fin');
  await waitUntil(async () => {
    const res = await fetch(`${app.url}/api/v1/investigations/${finished}`, { headers: await bearer('fin') });
    return ((await res.json()) as { status?: string }).status === 'completed' ? true : undefined;
  }, 'the investigation to complete');
});

afterAll(async () => {
  for (const release of held) release();
  await closeServer(expressOnly);
  await app?.stop();
});

describe('the stream fast path answers as Express did', () => {
  it('401 without a token, on every stream route', async () => {
    for (const path of [
      `/api/v1/investigations/stream/${finished}`,
      '/api/v1/investigations/stream',
      `/api/v1/investigations/${finished}/replay`,
      '/api/v1/chat/sessions/b2f0a3c4-1d2e-4f50-8a9b-0c1d2e3f4a5b/stream',
      '/api/v1/events/stream',
    ]) {
      const answer = await sameAsExpress(path);
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toContain('Bearer');
      expect(JSON.parse(answer.body)).toMatchObject({ error_code: 'UNAUTHORIZED' });
    }
  });

  it('400 for an id that is not one, 404 for one that does not exist', async () => {
    const bad = await sameAsExpress('/api/v1/investigations/stream/not.an.id', await bearer('ana'));
    expect(bad.status).toBe(400);
    const missing = await sameAsExpress(
      '/api/v1/investigations/stream/b2f0a3c4-1d2e-4f50-8a9b-0c1d2e3f4a5b',
      await bearer('ana'),
    );
    expect(missing.status).toBe(404);
  });

  it('204 to a resume past the terminal event', async () => {
    const answer = await sameAsExpress(`/api/v1/investigations/stream/${finished}?last_event_id=100000`, {
      ...(await bearer('fin')),
    });
    expect(answer.status).toBe(204);
    expect(answer.body).toBe('');
  });

  it('gzip when asked, and 429 once the user holds MAX_STREAMS_PER_USER streams', async () => {
    const headers = { ...(await bearer('quo', 'auditor')), 'Accept-Encoding': 'gzip' };
    const streamPath = '/api/v1/events/stream';
    // Both answers are streams held open (the feed never ends): the user's two slots.
    const open = await sameAsExpress(streamPath, headers);
    expect(open.status).toBe(200);
    expect(open.headers['content-encoding']).toBe('gzip');
    expect(open.headers['access-control-allow-origin']).toBe(ORIGIN);
    const refused = await sameAsExpress(streamPath, headers);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('5');
    expect(JSON.parse(refused.body)).toMatchObject({ error_code: 'TOO_MANY_STREAMS' });
  });
});

describe('what an open stream keeps of its request on the fast path', () => {
  it('lets go of the params, the parsed query and the peer address once the handler ran', async () => {
    const server = app.api.app.getHttpServer() as Server;
    const path = `/api/v1/investigations/stream/${finished}`;
    let seen: IncomingMessage | undefined;
    const capture = (req: IncomingMessage): void => {
      if (req.url?.startsWith(path)) seen = req;
    };
    server.on('request', capture);
    try {
      const answer = await get(`${path}?last_event_id=1`, await bearer('fin'), false);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toMatch(/^text\/event-stream/);
      const req = await waitUntil(() => seen, 'the stream request');
      const released = () =>
        Object.keys(Reflect.get(req, 'params') as object).length === 0 &&
        Reflect.get(req, '_parsedUrl') === undefined &&
        Reflect.get(req.socket, '_peername') === undefined
          ? true
          : undefined;
      await waitUntil(released, 'the handled request to let go of what its handler read', 5_000);
    } finally {
      server.off('request', capture);
    }
  });
});

describe('POST /api/v1/chat/stream on the fast path answers as Nest did', () => {
  const json = { 'Content-Type': 'application/json' };
  const hello = JSON.stringify({ message: 'Olá, tudo bem?' });

  it('opens the stream with the same status and headers, and the conversation streams to its end', async () => {
    const headers = { ...json, ...(await bearer('chat-fast')) };
    const answer = await sameChatAsNest(hello, headers);
    expect(answer.status).toBe(200);
    expect(answer.headers['x-session-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.headers['access-control-allow-origin']).toBe(ORIGIN);
    const before = expressCalls;
    // Another user: the two streams above may still count against MAX_STREAMS_PER_USER (2) until their answers end.
    const res = await fetch(`${app.url}/api/v1/chat/stream`, {
      method: 'POST',
      headers: { ...json, ...(await bearer('chat-fast-to-the-end')) },
      body: hello,
    });
    const text = await res.text();
    expect(expressCalls).toBe(before);
    expect(text).toContain('"type":"chunk"');
    expect(text).toContain('"type":"complete"');
  });

  it('refuses bodies as the body parser and the request check do: 400, 413, 415', async () => {
    const headers = { ...json, ...(await bearer('chat-bodies')) };
    const invalidJson = await sameChatAsNest('{"message": ', headers);
    expect(invalidJson.status).toBe(400);
    expect(JSON.parse(invalidJson.body)).toMatchObject({ error_code: 'INVALID_JSON' });
    const tooLarge = await sameChatAsNest(JSON.stringify({ message: 'a'.repeat(1_100_000) }), headers);
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body)).toMatchObject({ error_code: 'PAYLOAD_TOO_LARGE' });
    const encoding = await sameChatAsNest(hello, { ...headers, 'Content-Encoding': 'compress' });
    expect(encoding.status).toBe(415);
    const notJson = await sameChatAsNest(hello, { ...headers, 'Content-Type': 'text/plain' });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ error_code: 'INVALID_BODY' });
    const noMessage = await sameChatAsNest(JSON.stringify({ session_id: 'nope' }), headers);
    expect(noMessage.status).toBe(400);
  });

  it('401 without a token, audited as a failed login, and 404 for a session of someone else', async () => {
    const refused = await sameChatAsNest(hello, {
      ...json,
      Authorization: 'Bearer not-a-jwt',
      'X-Request-ID': 'chat-fast-401',
    });
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toContain('invalid_token');
    expect(JSON.parse(refused.body)).toMatchObject({ error_code: 'TOKEN_INVALID' });
    const audit = await fetch(`${app.url}/api/v1/audit/export?format=ndjson&event_type=auth.login_failed`, {
      headers: await bearer('chat-auditor', 'auditor'),
    });
    const rows = (await audit.text()).split('\n').filter((line) => line.includes('chat-fast-401'));
    // One failed login per answer: the fast path's and the Express-only server's.
    expect(rows).toHaveLength(2);
    const owner = await bearer('chat-owner');
    const opened = await postChat(app.url, hello, { ...json, ...owner });
    const sessionId = String(opened.headers['x-session-id']);
    const other = JSON.stringify({ message: 'e agora?', session_id: sessionId });
    const notYours = await sameChatAsNest(other, { ...json, ...(await bearer('chat-other')) });
    expect(notYours.status).toBe(404);
  });

  it('429 once the user holds MAX_STREAMS_PER_USER streams', async () => {
    const headers = { ...json, ...(await bearer('chat-quota', 'auditor')) };
    // Events streams never end: the user's two slots, then a chat stream is refused both ways.
    await get('/api/v1/events/stream', await bearer('chat-quota', 'auditor'), false);
    await get('/api/v1/events/stream', await bearer('chat-quota', 'auditor'), false);
    const refused = await sameChatAsNest(hello, headers);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('5');
    expect(JSON.parse(refused.body)).toMatchObject({ error_code: 'TOO_MANY_STREAMS' });
  });
});

describe('POST /api/v1/chat/stream on the fast path spends the user budget as the guards did', () => {
  let limited: EmbeddedApp;
  let limitedExpressOnly: Server;
  let limitedExpressCalls = 0;

  beforeAll(async () => {
    limited = await startEmbeddedApp({
      JWT_SECRET: 'fast-path-secret-fast-path-secret-fast-path',
      RATE_LIMIT_PER_MINUTE: '2',
      RATE_LIMIT_PER_MINUTE_IP: '0',
    });
    countExpressCalls(limited, () => limitedExpressCalls++);
    limitedExpressOnly = await serveWithoutFastPath(limited);
  });

  afterAll(async () => {
    await closeServer(limitedExpressOnly);
    await limited?.stop();
  });

  it('429 with Retry-After once the budget is spent, either way, and the refusal audited', async () => {
    const headers = {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${await limited.token('chat-limited', 'analyst')}`,
    };
    const hello = JSON.stringify({ message: 'Olá' });
    expect((await postChat(limited.url, hello, headers)).status).toBe(200);
    expect((await postChat(urlOf(limitedExpressOnly), hello, headers)).status).toBe(200);
    const fast = await postChat(limited.url, hello, { ...headers, 'X-Request-ID': 'chat-fast-429' });
    expect(limitedExpressCalls).toBe(1);
    const slow = await postChat(urlOf(limitedExpressOnly), hello, headers);
    expect(fast.status).toBe(429);
    expect(fast.headers['retry-after']).toBeDefined();
    expect(JSON.parse(fast.body)).toMatchObject({ error_code: 'RATE_LIMITED' });
    expect(comparable(fast.headers)).toEqual(comparable(slow.headers));
    expect({ status: slow.status, body: slow.body }).toEqual({ status: fast.status, body: fast.body });
    const audit = await fetch(`${limited.url}/api/v1/audit/export?format=ndjson&event_type=security.rate_limited`, {
      headers: { Authorization: `Bearer ${await limited.token('chat-limits-auditor', 'auditor')}` },
    });
    expect((await audit.text()).split('\n').filter((line) => line.includes('chat-fast-429'))).toHaveLength(1);
  });
});
