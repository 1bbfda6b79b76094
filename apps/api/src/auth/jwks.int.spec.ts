import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signToken } from '#platform';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';
import { JWKS_ALGORITHMS, startJwksServer, type JwksServer } from '../../../../test/support/jwks-server.js';

const ISSUER = 'https://idp.cidadao.test/realms/cidadao';
const MISSING = '/api/v1/investigations/missing';

let idp: JwksServer;
let app: EmbeddedApp;
beforeAll(async () => {
  idp = await startJwksServer(JWKS_ALGORITHMS);
  app = await startEmbeddedApp({ JWT_JWKS_URL: idp.url, JWT_ISSUER: ISSUER });
});
afterAll(async () => {
  await app?.stop();
  await idp?.close();
});

const getMissing = (token: string, base = app.url) =>
  fetch(`${base}${MISSING}`, { headers: { Authorization: `Bearer ${token}` } });

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('tokens from an OIDC provider (JWT_JWKS_URL)', () => {
  it('accepts RS256 and ES256 tokens signed by the provider, with Keycloak-style roles', async () => {
    for (const alg of ['RS256', 'ES256'] as const) {
      const token = await idp.sign(alg, { sub: 'ana', iss: ISSUER, realm_access: { roles: ['viewer'] } });
      const res = await getMissing(token);
      expect({ alg, status: res.status }).toEqual({ alg, status: 404 });
    }
  });

  it('accepts RSA, RSA-PSS, ECDSA (P-256/384/521) and EdDSA tokens of every size', async () => {
    const answers = [];
    for (const alg of JWKS_ALGORITHMS) {
      const token = await idp.sign(alg, { sub: 'ana', iss: ISSUER, roles: ['viewer'] });
      answers.push({ alg, status: (await getMissing(token)).status });
    }
    expect(answers).toEqual(JWKS_ALGORITHMS.map((alg) => ({ alg, status: 404 })));
  });

  it('refuses a wrong issuer, an unknown signer and an HS256 token', async () => {
    const wrongIssuer = await idp.sign('RS256', { sub: 'ana', iss: 'https://elsewhere.example', roles: ['viewer'] });
    const otherIdp = await startJwksServer();
    try {
      const unknownSigner = await otherIdp.sign('RS256', { sub: 'ana', iss: ISSUER, roles: ['viewer'] });
      const symmetric = await signToken({
        secret: 's'.repeat(40),
        subject: 'ana',
        roles: ['viewer'],
        ttlSeconds: 600,
        issuer: ISSUER,
      });
      for (const token of [wrongIssuer, unknownSigner, symmetric]) {
        const res = await getMissing(token);
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ error_code: 'TOKEN_INVALID' });
      }
    } finally {
      await otherIdp.close();
    }
  });

  it('answers 503, not 401, when the provider cannot be reached', async () => {
    const unreachable = await startEmbeddedApp({ JWT_JWKS_URL: `http://127.0.0.1:${await closedPort()}/jwks` });
    try {
      const res = await getMissing(await idp.sign('RS256', { sub: 'ana', roles: ['viewer'] }), unreachable.url);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toMatchObject({ error_code: 'AUTH_UNAVAILABLE' });
    } finally {
      await unreachable.stop();
    }
  });
});

describe('roles from a configured claim (JWT_ROLES_CLAIM) mapped by name (JWT_ROLE_MAP)', () => {
  const cases = [
    { claim: 'groups', claims: (names: string[]) => ({ groups: names }) },
    { claim: 'https://cidadao.ai/roles', claims: (names: string[]) => ({ 'https://cidadao.ai/roles': names }) },
    {
      claim: 'resource_access.cidadao.roles',
      claims: (names: string[]) => ({ resource_access: { cidadao: { roles: names }, other: { roles: ['admin'] } } }),
    },
  ];

  it.each(cases)('grants the mapped roles read from $claim, and nothing from elsewhere', async ({ claim, claims }) => {
    const mapped = await startEmbeddedApp({
      JWT_JWKS_URL: idp.url,
      JWT_ROLES_CLAIM: claim,
      JWT_ROLE_MAP: 'cidadao-staff:analyst,cidadao-auditors:auditor',
    });
    try {
      const statusFor = async (extra: Record<string, unknown>) =>
        (await getMissing(await idp.sign('RS256', { sub: 'ana', ...extra }), mapped.url)).status;
      // 404: the role lets the caller look for investigations; 403: no role that does.
      expect(await statusFor(claims(['cidadao-staff']))).toBe(404);
      expect(await statusFor(claims(['viewer']))).toBe(404);
      expect(await statusFor(claims(['someone-else']))).toBe(403);
      expect(await statusFor({ roles: ['admin'], realm_access: { roles: ['admin'] } })).toBe(403);
    } finally {
      await mapped.stop();
    }
  });
});
