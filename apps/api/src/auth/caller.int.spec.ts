import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';

const SECRET = 'caller-route-secret-0123456789-abcdef';

let anonymous: EmbeddedApp;
let mapped: EmbeddedApp;
beforeAll(async () => {
  [anonymous, mapped] = await Promise.all([
    startEmbeddedApp({}),
    startEmbeddedApp({ JWT_SECRET: SECRET, JWT_ROLES_CLAIM: 'groups', JWT_ROLE_MAP: 'auditoria:auditor' }),
  ]);
});
afterAll(async () => {
  await Promise.all([anonymous?.stop(), mapped?.stop()]);
});

const me = async (app: EmbeddedApp, token?: string) => {
  const res = await fetch(`${app.url}/api/v1/auth/me`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  return { status: res.status, body: (await res.json()) as unknown };
};

describe('GET /api/v1/auth/me', () => {
  it('answers the local anonymous analyst on an embedded server without tokens', async () => {
    expect(await me(anonymous)).toEqual({
      status: 200,
      body: {
        user_id: 'anonymous',
        name: 'local anonymous user',
        anonymous: true,
        roles: ['analyst'],
        permissions: { 'investigation:start': 'own', 'investigation:cancel': 'own', 'investigation:watch': 'own' },
        expires_at: null,
      },
    });
  });

  it('reads roles as every route does: the configured claim, mapped from the provider names', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const token = await new SignJWT({ groups: ['auditoria', 'outra-coisa'], roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('carol')
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(SECRET));
    expect(await me(mapped, token)).toEqual({
      status: 200,
      body: {
        user_id: 'carol',
        name: null,
        anonymous: false,
        roles: ['auditor'],
        permissions: {
          'investigation:watch': 'any',
          'chat:read': 'any',
          'audit:export': 'any',
          'audit:verify': 'any',
        },
        expires_at: new Date(exp * 1000).toISOString(),
      },
    });
    expect((await me(mapped)).status).toBe(401);
  });
});
