import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { auditRecords } from '#platform';
import { connectWs, wsUrl } from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { waitUntil } from './support/wait-until.js';

/** A refused request from `forwardedFor`, as a proxy would pass it on. */
async function refusedLogin(app: EmbeddedApp, forwardedFor: string): Promise<number> {
  const res = await fetch(`${app.url}/api/v1/investigations/00000000-0000-0000-0000-000000000000`, {
    headers: { Authorization: 'Bearer forged', 'X-Forwarded-For': forwardedFor },
  });
  await res.body?.cancel();
  return res.status;
}

async function recordedIps(app: EmbeddedApp, eventType: string): Promise<string[]> {
  const ips: string[] = [];
  for await (const record of auditRecords(app.runtime.audit, { eventType })) ips.push(String(record.ip));
  return ips;
}

describe('client addresses behind a trusted proxy (TRUST_PROXY=loopback)', () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    app = await startEmbeddedApp({ AUTH_REQUIRED: 'true', TRUST_PROXY: 'loopback', RATE_LIMIT_PER_MINUTE_IP: '3' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('records and limits the forwarded client, not the proxy', async () => {
    expect(await refusedLogin(app, '203.0.113.7')).toBe(401);
    const ws = await connectWs(wsUrl(app.url, '/api/v1/ws?connection_type=general&token=forged'), {
      headers: { 'X-Forwarded-For': '198.51.100.9' },
    });
    expect((await ws.closed).code).toBe(1008);
    expect(await recordedIps(app, 'auth.login_failed')).toEqual(['203.0.113.7']);
    expect(
      await waitUntil(
        async () =>
          (await recordedIps(app, 'auth.ws_token_rejected')).length > 0
            ? recordedIps(app, 'auth.ws_token_rejected')
            : undefined,
        'the refused upgrade',
      ),
    ).toEqual(['198.51.100.9']);
    // Three requests a minute per client: the fourth from one address is refused, another address is not.
    expect([
      await refusedLogin(app, '203.0.113.7'),
      await refusedLogin(app, '203.0.113.7'),
      await refusedLogin(app, '203.0.113.7'),
    ]).toEqual([401, 401, 429]);
    expect(await refusedLogin(app, '203.0.113.8')).toBe(401);
  });
});

describe('client addresses without TRUST_PROXY (default)', () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    app = await startEmbeddedApp({ AUTH_REQUIRED: 'true' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('ignores X-Forwarded-For, so a client cannot pick the address it is recorded under', async () => {
    expect(await refusedLogin(app, '203.0.113.7')).toBe(401);
    expect(await recordedIps(app, 'auth.login_failed')).toEqual(['127.0.0.1']);
  });
});
