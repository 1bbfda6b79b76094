import { SignJWT } from 'jose';
import type { Role } from './principal.js';

export interface TokenRequest {
  readonly secret: string;
  readonly subject: string;
  readonly roles: readonly Role[];
  readonly ttlSeconds: number;
  readonly name?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** Seconds since the epoch; tests pass a past instant to get an expired token. */
  readonly issuedAt?: number;
}

/** An HS256 token this server accepts: for `npm run token` and for tests. */
export async function signToken(request: TokenRequest): Promise<string> {
  const iat = request.issuedAt ?? Math.floor(Date.now() / 1000);
  let jwt = new SignJWT({ roles: [...request.roles], ...(request.name ? { name: request.name } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.subject)
    .setIssuedAt(iat)
    .setExpirationTime(iat + request.ttlSeconds);
  if (request.issuer) jwt = jwt.setIssuer(request.issuer);
  if (request.audience) jwt = jwt.setAudience(request.audience);
  return jwt.sign(new TextEncoder().encode(request.secret));
}
