import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { signToken } from '#platform';
import { startApiProcess, type ApiProcess } from '../support/api-process.js';
import { rawConnect } from '../support/raw-websocket.js';
import { fuzzRuns, fuzzSeed } from '../support/fuzz-config.js';

/**
 * Every HTTP route of the OpenAPI document, with generated path values, query parameters,
 * headers, tokens, bodies and body encodings, against a compiled server in its own process:
 * no answer is a 5xx, every request is answered within a bound, and the process lives.
 */
const SECRET = `fuzz-${randomUUID()}-${randomUUID()}`;
const ANSWER_WITHIN_MS = 10_000;
/** A 503 the client can act on: the server has no language model configured. */
const EXPECTED_503 = /^LLM_/;

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly query: readonly string[];
  readonly body: boolean;
}

interface Outcome {
  readonly status: number;
  readonly errorCode: string | null;
}

let api: ApiProcess;
let baseUrl = '';
let operations: Operation[] = [];
let tokens: string[] = [];
let knownId = '';

beforeAll(async () => {
  api = await startApiProcess({
    JWT_SECRET: SECRET,
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_PER_MINUTE_IP: '0',
    MAX_BODY_BYTES: '65536',
    SYNTHETIC_CONTRACTS: '300',
    INVESTIGATION_STEP_DELAY_MS: '0',
    STREAM_IDLE_TIMEOUT: '5',
  });
  baseUrl = api.url;
  const doc = (await (await fetch(`${baseUrl}/api/docs-json`)).json()) as {
    paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }>; requestBody?: unknown }>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      body: op.requestBody !== undefined,
    })),
  );
  const sign = (sub: string, roles: Array<'viewer' | 'analyst' | 'auditor' | 'admin'>, ttlSeconds = 600) =>
    signToken({ secret: SECRET, subject: sub, roles, ttlSeconds });
  tokens = [
    await sign('ana', ['analyst']),
    await sign('vera', ['viewer']),
    await sign('aud', ['auditor']),
    await sign('root', ['admin']),
    await sign('none', []),
  ];
  const started = await fetch(`${baseUrl}/api/v1/investigations`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${tokens[0]}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: 'contratos de saúde' }),
  });
  knownId = ((await started.json()) as { investigation_id: string }).investigation_id;
}, 60_000);

afterAll(async () => {
  await api?.dispose();
});

const printable = (text: string): boolean => /^[\x20-\x7e]*$/.test(text);
const oddStrings = fc.constantFrom(
  '',
  ' ',
  '+5',
  '-0',
  '0x10',
  '1e3',
  '99999999999999999999',
  'NaN',
  'null',
  '..',
  '%00',
  '%2e%2e%2f',
  '\u{1F642}',
  'a'.repeat(300),
  '<script>',
  "' OR 1=1 --",
);
const pathValue = fc.oneof(
  fc.constantFrom('KNOWN'),
  fc.uuid(),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,140}$/),
  fc.string({ maxLength: 40 }),
  oddStrings,
);
const headerValue = fc.oneof(
  oddStrings.filter(printable),
  fc.string({ maxLength: 80 }).filter(printable),
  fc.nat().map(String),
);
const authorization = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: 0, max: 4 }).map((i) => `TOKEN:${i}`),
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'Basic YTpi',
    'Bearer a.b.c',
    'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    'bearer  x',
  ),
  headerValue.map((v) => `Bearer ${v}`),
);
/** GraphQL documents a client could send: introspection asked for again and again under aliases, nested, broken. */
const graphqlDocument = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 60 }), fc.constantFrom('__typename', '__schema { types { name } }'))
    .map(([n, field]) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} __typename }`),
  fc.constantFrom(
    '{ investigations { items { investigation_id } } }',
    'query Q { ...F } fragment F on Query { x: __typename y: __typename ...F }',
    '{ __schema { types { fields { type { fields { type { name } } } } } } }',
    '{',
  ),
);
/** Receivers a webhook may not have: internal addresses, other schemes, credentials. */
const webhookUrl = fc.constantFrom(
  'https://receiver.example.org/hook',
  'http://127.0.0.1:9/hook',
  'http://[::1]/',
  'http://[::ffff:7f00:1]/',
  'http://0x7f000001/',
  'http://169.254.169.254/latest/meta-data/',
  'http://10.0.0.1/',
  'http://localhost./',
  'http://api.localhost/',
  'file:///etc/passwd',
  'gopher://x/',
  'https://u:p@example.org/',
  'not a url',
);
const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        query: fc.oneof(fc.string({ maxLength: 200 }), fc.integer(), fc.constant(null), graphqlDocument),
        url: webhookUrl,
        events: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
        message: fc.oneof(fc.string({ maxLength: 200 }), fc.constant(''), fc.array(fc.string())),
        session_id: fc.oneof(fc.uuid(), fc.string({ maxLength: 20 })),
        data_source: fc.constantFrom('contracts', 'synthetic', 'portal_transparencia', 'other', 1),
        filters: fc.oneof(
          fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })),
          fc.constant(null),
        ),
        anomaly_types: fc.oneof(fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }), fc.string()),
        messages: fc.array(
          fc.record({ role: fc.constantFrom('user', 'system', 'x'), content: fc.string({ maxLength: 50 }) }),
          { maxLength: 3 },
        ),
        stream: fc.boolean(),
        reason: fc.string({ maxLength: 600 }),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '{',
    '[',
    '{"query":',
    'null',
    '""',
    '{"__proto__":{"x":1}}',
    '{"constructor":{"prototype":{"x":1}}}',
  ),
);
const encodedBody = fc
  .tuple(jsonBody, fc.constantFrom('identity', 'gzip', 'deflate', 'br', 'gzip-corrupt', 'br-as-gzip', 'unknown'))
  .map(([text, encoding]) => {
    const raw = Buffer.from(text);
    switch (encoding) {
      case 'gzip':
        return { body: gzipSync(raw), encoding: 'gzip' };
      case 'deflate':
        return { body: deflateSync(raw), encoding: 'deflate' };
      case 'br':
        return { body: brotliCompressSync(raw), encoding: 'br' };
      case 'gzip-corrupt':
        return { body: Buffer.concat([gzipSync(raw).subarray(0, 10), raw]), encoding: 'gzip' };
      case 'br-as-gzip':
        return { body: brotliCompressSync(raw), encoding: 'gzip' };
      case 'unknown':
        return { body: raw, encoding: 'compress' };
      default:
        return { body: raw, encoding: undefined };
    }
  });
const requestCase = fc.record({
  operation: fc.nat(),
  method: fc.oneof(fc.constant(null), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD')),
  pathValues: fc.array(pathValue, { minLength: 2, maxLength: 2 }),
  // Pairs, not a dictionary: a parameter may come twice (`?limit=1&limit=2`).
  query: fc.array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'last_event_id',
          'format',
          'speed',
          'category',
          'type',
          'start_date',
          'end_date',
          'severity',
          'token',
          'session_token',
          'limit',
          'status',
          'q',
          'cursor',
          'query',
        ),
        fc.string({ maxLength: 10 }),
      ),
      headerValue,
    ),
    { maxLength: 4 },
  ),
  authorization,
  lastEventId: fc.option(headerValue, { nil: undefined }),
  idempotencyKey: fc.option(headerValue, { nil: undefined }),
  acceptEncoding: fc.option(fc.constantFrom('gzip', 'br', 'deflate', '*', 'identity;q=0', 'gzip;q=abc', 'x'), {
    nil: undefined,
  }),
  contentType: fc.option(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ),
    { nil: undefined },
  ),
  body: fc.option(encodedBody, { nil: undefined }),
  origin: fc.option(fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1'), { nil: undefined }),
});
type RequestCase = typeof requestCase extends fc.Arbitrary<infer T> ? T : never;

function urlOf(operation: Operation, c: RequestCase): string {
  let index = 0;
  const path = operation.path.replace(/\{[^}]+\}/g, () => {
    const value = c.pathValues[index++] ?? '';
    return value === 'KNOWN' ? knownId : encodeURIComponent(value);
  });
  const search = new URLSearchParams(c.query.map(([key, value]): [string, string] => [key, value])).toString();
  return `${path}${search ? `?${search}` : ''}`;
}

/** One request over node:http; resolves with the status once the answer (or, for a stream, its head) arrived. */
function send(c: RequestCase): Promise<Outcome> {
  const operation = operations[c.operation % operations.length] as Operation;
  const headers: Record<string, string> = {};
  if (c.authorization)
    headers.Authorization = c.authorization.replace(/^TOKEN:(\d)$/, (_, i: string) => `Bearer ${tokens[Number(i)]}`);
  if (c.lastEventId !== undefined) headers['Last-Event-ID'] = c.lastEventId;
  if (c.idempotencyKey !== undefined) headers['Idempotency-Key'] = c.idempotencyKey;
  if (c.acceptEncoding) headers['Accept-Encoding'] = c.acceptEncoding;
  if (c.origin) headers.Origin = c.origin;
  const method = c.method ?? operation.method;
  const body = method === 'GET' || method === 'HEAD' ? undefined : c.body;
  if (body) {
    headers['Content-Type'] = c.contentType ?? 'application/json';
    if (body.encoding) headers['Content-Encoding'] = body.encoding;
    headers['Content-Length'] = String(body.body.length);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms to ${method} ${urlOf(operation, c)}`));
    }, ANSWER_WITHIN_MS);
    const req = request(`${baseUrl}${urlOf(operation, c)}`, { method, headers }, (res) => {
      const status = res.statusCode ?? 0;
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        clearTimeout(timer);
        res.destroy();
        return resolve({ status, errorCode: null });
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        let errorCode: string | null = null;
        try {
          errorCode = (JSON.parse(Buffer.concat(chunks).toString()) as { error_code?: string }).error_code ?? null;
        } catch {
          // not JSON (metrics, a compressed body): no error code to read
        }
        resolve({ status, errorCode });
      });
      res.on('error', () => undefined);
    });
    req.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body?.body);
  });
}

describe('HTTP fuzzing of every route', () => {
  it('answers every generated request without a 5xx, in time, and stays up', async () => {
    expect(operations.length).toBeGreaterThan(15);
    await fc.assert(
      fc.asyncProperty(requestCase, async (c) => {
        const outcome = await send(c);
        const acceptable =
          outcome.status < 500 || (outcome.status === 503 && EXPECTED_503.test(outcome.errorCode ?? ''));
        if (!acceptable) throw new Error(`answered ${outcome.status} ${String(outcome.errorCode)}`);
      }),
      { numRuns: fuzzRuns(1500), seed: fuzzSeed(), endOnFailure: true },
    );
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
    expect(api.alive()).toBe(true);
    expect(api.errorLines()).toEqual([]);
  }, 600_000);
});

/** Bytes no HTTP client library would send: request lines, targets and headers as an attacker types them. */
const rawRequest = fc
  .record({
    method: fc.oneof(
      fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'PRI', 'get', 'G ET', ''),
      fc.string({ maxLength: 8 }),
    ),
    target: fc.oneof(
      fc.constantFrom('/health', '/api/v1/investigations', '/api/v1/chat/message', '*', '', 'http://x/health'),
      fc.string({ maxLength: 60 }).map((tail) => `/api/v1/investigations?q=${tail}`),
      fc.string({ unit: 'grapheme', maxLength: 40 }).map((tail) => `/${tail}`),
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    ),
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1 extra', '', 'HTTPS/1.1'),
    headers: fc.array(
      fc.oneof(
        fc.tuple(
          fc.constantFrom('Host', 'Content-Length', 'Transfer-Encoding', 'Connection', 'Authorization'),
          fc.string({ maxLength: 30 }),
        ),
        fc.tuple(fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 30 })),
      ),
      { maxLength: 5 },
    ),
    body: fc.uint8Array({ maxLength: 64 }),
  })
  .map(({ method, target, version, headers, body }) => ({
    // A HEAD is answered without a body.
    bodiless: method === 'HEAD',
    bytes: Buffer.concat([
      Buffer.from(
        `${method} ${target} ${version}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}Connection: close\r\n\r\n`,
        'utf8',
      ),
      Buffer.from(body),
    ]),
  }));

/** What came back on the raw connection: read until the server closed it, an answer's body was whole, or a stream began. */
async function sendRaw(bytes: Buffer): Promise<string> {
  const socket = await rawConnect(Number(new URL(baseUrl).port));
  let received = Buffer.alloc(0);
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no answer within ${ANSWER_WITHIN_MS} ms to ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`,
            ),
          ),
        ANSWER_WITHIN_MS,
      );
      const settle = (): void => {
        clearTimeout(timer);
        resolve(received.toString('latin1'));
      };
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        const text = received.toString('latin1');
        const headEnd = text.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, headEnd))?.[1];
        const streaming = /\r\ncontent-type: *text\/event-stream/i.test(text.slice(0, headEnd));
        if (streaming || (length !== undefined && received.length >= headEnd + 4 + Number(length))) settle();
      });
      socket.once('close', settle);
      socket.write(bytes);
    });
  } finally {
    socket.destroy();
  }
}

describe('raw HTTP fuzzing', () => {
  it('answers malformed request lines and headers with a 4xx JSON error or a close, never a 5xx, and stays up', async () => {
    await fc.assert(
      fc.asyncProperty(rawRequest, async ({ bytes, bodiless }) => {
        const answer = await sendRaw(bytes);
        if (answer === '') return; // closed without an answer: allowed for bytes that are not a request
        const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(answer)?.[1] ?? NaN);
        if (!(status < 500)) throw new Error(`answered ${answer.slice(0, 200)}`);
        const [head = '', body = ''] = answer.split('\r\n\r\n');
        // Every refusal says why, the parser's included.
        if (status >= 400 && !bodiless) {
          expect({ status, json: /\r\ncontent-type: *application\/json/i.test(head) }).toEqual({ status, json: true });
          expect(JSON.parse(body)).toEqual(expect.objectContaining({ error_code: expect.any(String) }));
        }
      }),
      { numRuns: fuzzRuns(400), seed: fuzzSeed(), endOnFailure: true },
    );
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
    expect(api.alive()).toBe(true);
    expect(api.errorLines()).toEqual([]);
  }, 600_000);
});
