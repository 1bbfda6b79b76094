import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AuthError, AuthUnavailableError } from './auth.errors.js';
import { principalFromClaims, type Principal } from './principal.js';
import type { RoleResolver } from './role-claims.js';
import type { TokenVerifier } from './token-verifier.js';

export interface JoseVerifierOptions {
  /** HS256 shared secret (JWT_SECRET or the embedded development secret). */
  readonly secret?: string;
  /** An OIDC provider's JWKS (JWT_JWKS_URL): RSA, RSA-PSS, ECDSA and EdDSA tokens. */
  readonly jwksUrl?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** Seconds of clock skew tolerated between the provider and this server. */
  readonly clockToleranceSeconds: number;
  /** Where roles are read from (JWT_ROLES_CLAIM, JWT_ROLE_MAP); default the usual claims. */
  readonly roles?: RoleResolver;
}

/** What providers sign with: RSA PKCS#1 and PSS, ECDSA on P-256/384/521, and Ed25519. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/** JWT verification with jose: HS256 against a secret and/or the asymmetric algorithms against a remote JWKS. */
export class JoseTokenVerifier implements TokenVerifier {
  private readonly getKey: JWTVerifyGetKey;
  private readonly algorithms: string[];

  constructor(private readonly options: JoseVerifierOptions) {
    const secretKey = options.secret ? new TextEncoder().encode(options.secret) : null;
    const jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : null;
    if (!secretKey && !jwks) throw new TypeError('a JWT secret or a JWKS URL is required');
    // The algorithm list is checked before any key is chosen, so an HS256 token can never be
    // verified with a public key taken for a secret (algorithm confusion).
    this.algorithms = [...(secretKey ? ['HS256'] : []), ...(jwks ? ASYMMETRIC_ALGORITHMS : [])];
    this.getKey = async (header, token) => {
      if (header.alg === 'HS256' && secretKey) return secretKey;
      if (jwks) return jwks(header, token);
      throw new errors.JOSEAlgNotAllowed(`"alg" (Algorithm) Header Parameter value not allowed`);
    };
  }

  async verify(token: string): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, this.getKey, {
        algorithms: this.algorithms,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: this.options.clockToleranceSeconds,
        ...(this.options.issuer ? { issuer: this.options.issuer } : {}),
        ...(this.options.audience ? { audience: this.options.audience } : {}),
      });
      return principalFromClaims(payload, this.options.roles);
    } catch (error) {
      throw toAuthError(error);
    }
  }
}

/** Token faults are the caller's (401); a JWKS that cannot be fetched is ours (503). */
function toAuthError(error: unknown): Error {
  if (error instanceof AuthError) return error;
  if (error instanceof errors.JWTExpired) return new AuthError('TOKEN_EXPIRED', 'the token has expired');
  const fetchFailed =
    !(error instanceof errors.JOSEError) || error instanceof errors.JWKSTimeout || error.code === 'ERR_JOSE_GENERIC';
  if (fetchFailed)
    return new AuthUnavailableError('the identity provider keys (JWT_JWKS_URL) could not be fetched', { cause: error });
  return new AuthError('TOKEN_INVALID', `the token is not valid: ${error.message}`);
}
