import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TOKEN_REVOCATIONS_STREAM } from '#audit';
import { auditRecords, signToken, TokenRevocations } from '#platform';
import { ioOnce, openIo } from '../apps/api/src/websocket/testing/io-client.testing.js';
import { connectWs, wsUrl } from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { distributedDeployment } from './support/distributed-deployment.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { startNode, type RunningProcess } from './support/node-process.js';
import { openSse } from './support/sse-client.js';
import { waitUntil } from './support/wait-until.js';

const now = (): number => Math.floor(Date.now() / 1000);

async function revoke(
  url: string,
  userId: string,
  adminToken: string,
  body: unknown = { reason: 'laptop stolen' },
): Promise<Response> {
  return fetch(`${url}/api/v1/admin/users/${encodeURIComponent(userId)}/revoke-tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${adminToken}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const status = async (url: string, token: string): Promise<{ status: number; code?: unknown }> => {
  const res = await fetch(`${url}/api/v1/events/stream?category=none`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status === 200) {
    await res.body?.cancel();
    return { status: 200 };
  }
  const code = ((await res.json()) as { error_code?: unknown }).error_code;
  return { status: res.status, ...(code === undefined ? {} : { code }) };
};

describe("admin: revoking a user's tokens (embedded)", () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    app = await startEmbeddedApp({ AUTH_REQUIRED: 'true' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('refuses the old tokens with 401 TOKEN_REVOKED, closes their sockets with 1008 and records it all', async () => {
    const old = await app.token('ana', 'auditor', { issuedAt: now() - 60 });
    expect(await status(app.url, old)).toEqual({ status: 200 });
    const ws = await connectWs(wsUrl(app.url, `/api/v1/ws?connection_type=general&token=${old}`));
    const io = openIo(`${app.url}/investigations`, { auth: { token: old } });
    await ioOnce(io.socket, 'connect');
    const feed = await openSse(`${app.url}/api/v1/events/stream?category=access`, {
      headers: { Authorization: `Bearer ${await app.token('siem', 'auditor')}` },
    });
    const anasStream = await openSse(`${app.url}/api/v1/events/stream?category=none`, {
      headers: { Authorization: `Bearer ${old}` },
    });

    const res = await revoke(app.url, 'ana', await app.token('root', 'admin'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user_id: string; revoked_before: string; revoked_by: string; reason: string };
    expect(body).toMatchObject({ user_id: 'ana', revoked_by: 'root', reason: 'laptop stolen' });

    const refused = await fetch(`${app.url}/api/v1/events/stream`, { headers: { Authorization: `Bearer ${old}` } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/invalid_token.*revoked/);
    expect(await refused.json()).toMatchObject({ error_code: 'TOKEN_REVOKED' });
    expect((await ws.closed).code).toBe(1008);
    // Her open SSE stream ends with the reason; the other auditor's feed goes on.
    expect((await anasStream.done).at(-1)?.data).toMatchObject({ type: 'error', error_code: 'TOKEN_REVOKED' });
    expect(await io.waitFor((event) => event === 'disconnect_reason', 'the Socket.IO disconnect')).toMatchObject({
      code: 1008,
    });
    io.close();
    // The same connection refused afresh, and a token issued after the revocation accepted.
    expect(
      (await connectWs(wsUrl(app.url, `/api/v1/ws?connection_type=general&token=${old}`)).then((c) => c.closed)).code,
    ).toBe(1008);
    const fresh = await app.token('ana', 'auditor', { issuedAt: Date.parse(body.revoked_before) / 1000 + 1 });
    expect(await status(app.url, fresh)).toEqual({ status: 200 });

    // A durable event, on the downstream feed, and a new process's list knows it.
    const [frame] = await feed.waitFor(1);
    feed.close();
    expect(frame?.data).toMatchObject({
      type: 'br.gov.cidadao-ai.access.UserTokensRevoked',
      subject: TOKEN_REVOCATIONS_STREAM,
      data: { userId: 'ana', revokedBy: 'root' },
    });
    const reopened = await TokenRevocations.open(app.runtime.store);
    expect(reopened.isRevoked({ id: 'ana', roles: ['auditor'], issuedAt: now() - 60 })).toBe(true);
    reopened.close();

    const records = [];
    for await (const record of auditRecords(app.runtime.audit, { eventType: 'admin.' })) records.push(record);
    expect(records).toEqual([
      expect.objectContaining({
        eventType: 'admin.tokens_revoked',
        severity: 'high',
        userId: 'root',
        resourceType: 'user',
        resourceId: 'ana',
        success: true,
      }),
    ]);
    const failed = [];
    for await (const record of auditRecords(app.runtime.audit, { eventType: 'auth.login_failed' }))
      failed.push(`${record.errorCode} ${record.userId}`);
    expect(failed).toContain('TOKEN_REVOKED ana');
  });

  it('lets only admins revoke, and refuses bad input without storing anything', async () => {
    const before = (await app.runtime.store.readStream(TOKEN_REVOCATIONS_STREAM)).length;
    const auditor = await revoke(app.url, 'bob', await app.token('carol', 'auditor'));
    expect(auditor.status).toBe(403);
    const admin = await app.token('root', 'admin');
    const cases: Array<[string, unknown, string]> = [
      ['bob', { reason: 5 }, 'reason'],
      ['bob', { reason: 'x', extra: true }, 'body'],
      ['bob', '{"reason":', 'body'],
      ['b o b', {}, 'userId'],
    ];
    for (const [userId, body, field] of cases) {
      const res = await revoke(app.url, userId, admin, body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toContain(field === 'body' ? 'error_code' : field);
    }
    expect(await app.runtime.store.readStream(TOKEN_REVOCATIONS_STREAM)).toHaveLength(before);
    expect(await status(app.url, await app.token('bob', 'auditor', { issuedAt: now() - 60 }))).toEqual({ status: 200 });
  });
});

describe('admin: a revocation on one api process holds on every other (PostgreSQL)', () => {
  const deployment = distributedDeployment('revoke');
  const processes: RunningProcess[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const api = startNode('dist/apps/api/src/main.js', deployment.env);
      processes.push(api);
      urls.push(String((await api.waitForLog((l) => l.msg === 'api listening')).url).replace('localhost', '127.0.0.1'));
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await deployment.dispose();
  });

  it('refuses the revoked token on the other process and closes its socket there', async () => {
    const [first = '', second = ''] = urls;
    const sign = (sub: string, roles: Array<'auditor' | 'admin'>, issuedAt = now() - 60) =>
      signToken({ secret: deployment.jwtSecret, subject: sub, roles, ttlSeconds: 600, issuedAt });
    const old = await sign('dora', ['auditor']);
    expect(await status(second, old)).toEqual({ status: 200 });
    const ws = await connectWs(wsUrl(second, `/api/v1/ws?connection_type=general&token=${old}`));
    const stream = await openSse(`${second}/api/v1/events/stream?category=none`, {
      headers: { Authorization: `Bearer ${old}` },
    });
    expect((await revoke(first, 'dora', await sign('root', ['admin']))).status).toBe(200);
    expect((await ws.closed).code).toBe(1008);
    expect((await stream.done).at(-1)?.data).toMatchObject({ type: 'error', error_code: 'TOKEN_REVOKED' });
    await waitUntil(
      async () => ((await status(second, old)).status === 401 ? true : undefined),
      'the second process to refuse the token',
    );
    expect(await status(second, old)).toEqual({ status: 401, code: 'TOKEN_REVOKED' });
  }, 60_000);
});
