import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signToken } from '#platform';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';
import { openSse, type SseFrame } from '../../../../test/support/sse-client.js';

const SECRET = 'test-secret-test-secret-test-secret-42';
const ISSUER = 'https://idp.cidadao.test';
const AUDIENCE = 'cidadao-api';

let app: EmbeddedApp;
beforeAll(async () => {
  app = await startEmbeddedApp({ JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
});
afterAll(async () => {
  await app?.stop();
});

const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${app.url}${path}`, { headers });
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

async function expectError(res: Response, status: number, code: string): Promise<void> {
  expect({ status: res.status, body: await res.json() }).toMatchObject({
    status,
    body: { error_code: code, message: expect.any(String) },
  });
}

describe('authentication with JWT_SECRET, JWT_ISSUER and JWT_AUDIENCE', () => {
  it('answers 401 UNAUTHORIZED with a Bearer challenge when no token is sent, on every endpoint', async () => {
    const calls = [
      post('/api/v1/investigations', { query: 'contratos de saúde' }),
      get('/api/v1/investigations/some-id'),
      get('/api/v1/investigations/stream/some-id'),
      post('/api/v1/investigations/some-id/cancel', {}),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="cidadao-ai"');
      await expectError(res, 401, 'UNAUTHORIZED');
    }
  });

  it('keeps health and metrics open', async () => {
    expect((await get('/health')).status).toBe(200);
    expect((await get('/metrics')).status).toBe(200);
  });

  it('tells an expired token from an invalid one', async () => {
    const expired = await app.token('ana', 'analyst', {
      issuedAt: Math.floor(Date.now() / 1000) - 3600,
      ttlSeconds: 600,
    });
    const res = await get('/api/v1/investigations/some-id', bearer(expired));
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="cidadao-ai", error="invalid_token"/);
    await expectError(res, 401, 'TOKEN_EXPIRED');
    const invalid = [
      'not-a-jwt',
      await signToken({
        secret: 'another-secret-another-secret-another',
        subject: 'ana',
        roles: ['analyst'],
        ttlSeconds: 600,
        issuer: ISSUER,
        audience: AUDIENCE,
      }),
      await app.token('ana', 'analyst', { issuer: 'https://evil.example' }),
      await app.token('ana', 'analyst', { audience: 'another-api' }),
    ];
    for (const token of invalid)
      await expectError(await get('/api/v1/investigations/some-id', bearer(token)), 401, 'TOKEN_INVALID');
    await expectError(
      await get('/api/v1/investigations/some-id', { Authorization: 'Basic YW5hOnNlbmhh' }),
      401,
      'TOKEN_INVALID',
    );
  });

  it('answers 403 FORBIDDEN when the role does not grant the action', async () => {
    const viewer = bearer(await app.token('vera', 'viewer'));
    const auditor = bearer(await app.token('carol', 'auditor'));
    const nobody = bearer(await app.token('nina', []));
    await expectError(await post('/api/v1/investigations', { query: 'contratos de saúde' }, viewer), 403, 'FORBIDDEN');
    await expectError(await post('/api/v1/investigations', { query: 'contratos de saúde' }, auditor), 403, 'FORBIDDEN');
    await expectError(await post('/api/v1/investigations/some-id/cancel', {}, auditor), 403, 'FORBIDDEN');
    await expectError(await get('/api/v1/investigations/some-id', nobody), 403, 'FORBIDDEN');
  });
});

describe('who sees which investigation', () => {
  let id = '';
  let anaFrames: SseFrame[] = [];

  beforeAll(async () => {
    const ana = bearer(await app.token('ana', 'analyst'));
    const res = await post('/api/v1/investigations', { query: 'Contratos de saúde acima de R$ 1 milhão' }, ana);
    expect(res.status).toBe(202);
    id = ((await res.json()) as { investigation_id: string }).investigation_id;
    const sse = await openSse(`${app.url}/api/v1/investigations/stream/${id}`, { headers: ana });
    anaFrames = await sse.done;
  });

  it('records the token subject as the user of commands and events', async () => {
    expect(anaFrames.at(-1)?.data.type).toBe('complete');
    const res = await get(`/api/v1/investigations/${id}`, bearer(await app.token('ana', 'viewer')));
    expect(await res.json()).toMatchObject({ investigation_id: id, user_id: 'ana', status: 'completed' });
  });

  it("answers 404, not 403, for another analyst's investigation, everywhere", async () => {
    const bob = bearer(await app.token('bob', 'analyst'));
    await expectError(await get(`/api/v1/investigations/${id}`, bob), 404, 'INVESTIGATION_NOT_FOUND');
    await expectError(await get(`/api/v1/investigations/stream/${id}`, bob), 404, 'INVESTIGATION_NOT_FOUND');
    await expectError(await post(`/api/v1/investigations/${id}/cancel`, {}, bob), 404, 'INVESTIGATION_NOT_FOUND');
  });

  it('lets an auditor watch any investigation, with ?token= where headers cannot be set', async () => {
    const token = await app.token('carol', 'auditor');
    const sse = await openSse(`${app.url}/api/v1/investigations/stream/${id}?token=${encodeURIComponent(token)}`);
    expect(sse.status).toBe(200);
    expect(await sse.done).toEqual(anaFrames);
    await expectError(await get(`/api/v1/investigations/stream/${id}?token=forged`), 401, 'TOKEN_INVALID');
  });

  it('lets an admin act on any investigation', async () => {
    const admin = bearer(await app.token('root', 'admin'));
    expect((await get(`/api/v1/investigations/${id}`, admin)).status).toBe(200);
    await expectError(await post(`/api/v1/investigations/${id}/cancel`, {}, admin), 409, 'INVESTIGATION_FINISHED');
  });
});

describe('AUTH_REQUIRED', () => {
  it('embedded without a key: no token acts as the anonymous analyst, but a sent token is still verified', async () => {
    const open = await startEmbeddedApp();
    try {
      const res = await fetch(`${open.url}/api/v1/investigations/missing`);
      await expectError(res, 404, 'INVESTIGATION_NOT_FOUND');
      const bad = await fetch(`${open.url}/api/v1/investigations/missing`, { headers: bearer('forged') });
      await expectError(bad, 401, 'TOKEN_INVALID');
      const good = await fetch(`${open.url}/api/v1/investigations/missing`, {
        headers: bearer(await open.token('ana', 'viewer')),
      });
      expect(good.status).toBe(404);
    } finally {
      await open.stop();
    }
  });

  it('true: the embedded server wants a token, and accepts one signed with its development secret', async () => {
    const strict = await startEmbeddedApp({ AUTH_REQUIRED: 'true' });
    try {
      await expectError(await fetch(`${strict.url}/api/v1/investigations/missing`), 401, 'UNAUTHORIZED');
      const res = await fetch(`${strict.url}/api/v1/investigations/missing`, {
        headers: bearer(await strict.token('ana', 'viewer')),
      });
      expect(res.status).toBe(404);
    } finally {
      await strict.stop();
    }
  });

  it('false: a server with JWT_SECRET also takes requests without a token', async () => {
    const lenient = await startEmbeddedApp({ JWT_SECRET: SECRET, AUTH_REQUIRED: 'false' });
    try {
      expect((await fetch(`${lenient.url}/api/v1/investigations/missing`)).status).toBe(404);
    } finally {
      await lenient.stop();
    }
  });
});
