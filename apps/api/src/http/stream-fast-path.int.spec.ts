import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { Express } from 'express';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';
import { waitUntil } from '../../../../test/support/wait-until.js';

/**
 * The GET stream routes are served before Express; each answer here is compared with the
 * one Express gives to the same request. A request with an (empty) chunked body is one the
 * fast path leaves to Express, which is how the test reaches the Express way.
 */
const ORIGIN = 'https://dashboard.example';
const VOLATILE = new Set(['date', 'x-request-id', 'x-correlation-id']);

let app: EmbeddedApp;
let expressCalls = 0;
let finished = '';
const held: Array<() => void> = [];

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The whole body of an answer that ends; the first bytes (gunzipped) of a stream. */
  readonly body: string;
}

/** One GET over node:http; `viaExpress` sends an empty chunked body. A stream is held open until `release`. */
function get(path: string, headers: Record<string, string>, viaExpress: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${app.url}${path}`, { headers: { Origin: ORIGIN, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      const answer = (): Answer => {
        const raw = Buffer.concat(chunks);
        const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw, { finishFlush: 2 }) : raw;
        return { status: res.statusCode ?? 0, headers: res.headers, body: body.toString('utf8') };
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
    if (viaExpress) req.setHeader('Transfer-Encoding', 'chunked');
    req.end();
  });
}

function comparable(headers: IncomingHttpHeaders): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !VOLATILE.has(name)));
}

/** The fast path's answer, after checking Express answers the same (headers, status, body). */
async function sameAsExpress(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const before = expressCalls;
  const fast = await get(path, headers, false);
  expect(expressCalls).toBe(before);
  const slow = await get(path, headers, true);
  expect(expressCalls).toBe(before + 1);
  expect(comparable(fast.headers)).toEqual(comparable(slow.headers));
  expect(fast.status).toBe(slow.status);
  // An open stream starts with its (jittered) retry; an answer that ends must be byte for byte the same.
  if (fast.headers['content-type']?.startsWith('text/event-stream')) expect(fast.body).toMatch(/^retry: \d+\n\n/);
  else expect(fast.body).toBe(slow.body);
  return fast;
}

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
  const expressApp = app.api.app.getHttpAdapter().getInstance() as Express;
  // Express's app function hands every request it gets to app.handle: counted, to know who answered.
  const handle = (Reflect.get(expressApp, 'handle') as (...args: unknown[]) => unknown).bind(expressApp);
  Object.assign(expressApp, {
    handle: (...args: unknown[]) => {
      expressCalls++;
      return handle(...args);
    },
  });
  finished = await investigation('fin');
  await waitUntil(async () => {
    const res = await fetch(`${app.url}/api/v1/investigations/${finished}`, { headers: await bearer('fin') });
    return ((await res.json()) as { status?: string }).status === 'completed' ? true : undefined;
  }, 'the investigation to complete');
});

afterAll(async () => {
  for (const release of held) release();
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
