import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { ASYMMETRIC_ALGORITHMS } from '#platform';

/** Every algorithm the API accepts from a JWKS. */
export const JWKS_ALGORITHMS = ASYMMETRIC_ALGORITHMS;
export type AsymmetricAlg = (typeof JWKS_ALGORITHMS)[number];

export interface JwksServer {
  /** The JWKS URL, as JWT_JWKS_URL. */
  readonly url: string;
  /** A token signed by this provider's key for `alg`, with `claims` and a 10-minute expiry. */
  sign(alg: AsymmetricAlg, claims: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** A stand-in OIDC provider: a real HTTP server publishing the public half of keys it generated, one per algorithm. */
export async function startJwksServer(algorithms: readonly AsymmetricAlg[] = ['RS256', 'ES256']): Promise<JwksServer> {
  const keys = new Map<AsymmetricAlg, { privateKey: CryptoKey; jwk: JWK }>();
  for (const alg of algorithms) {
    const { privateKey, publicKey } = await generateKeyPair(alg);
    keys.set(alg, { privateKey, jwk: { ...(await exportJWK(publicKey)), kid: `test-${alg}`, alg, use: 'sig' } });
  }
  const body = JSON.stringify({ keys: [...keys.values()].map((k) => k.jwk) });
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/jwks' ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(req.url === '/jwks' ? body : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks`,
    sign: async (alg, claims) => {
      const key = keys.get(alg);
      if (!key) throw new Error(`no ${alg} key`);
      return new SignJWT(claims)
        .setProtectedHeader({ alg, kid: key.jwk.kid ?? '' })
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(key.privateKey);
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
