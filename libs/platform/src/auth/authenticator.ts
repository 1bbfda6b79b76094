import type { SettingsSections } from '../config/settings-sections.js';
import type { Logger } from '../logging/logger.js';
import { AuthError } from './auth.errors.js';
import { resolveAuthMode, signingSecret } from './auth-mode.js';
import { JoseTokenVerifier } from './jose-token-verifier.js';
import type { Principal } from './principal.js';
import { roleResolver } from './role-claims.js';
import type { TokenVerifier } from './token-verifier.js';

/** The local user of an embedded server that does not require tokens. */
export const ANONYMOUS_PRINCIPAL: Principal = Object.freeze({
  id: 'anonymous',
  roles: Object.freeze(['analyst'] as const),
  name: 'local anonymous user',
  anonymous: true,
});

/** Whether a verified token has been revoked since it was issued (TokenRevocations). */
export interface RevocationCheck {
  isRevoked(principal: Principal): boolean;
}

/** Turns an optional bearer token into a principal; shared by the HTTP guard and the WebSocket gateways. */
export class Authenticator {
  constructor(
    private readonly verifier: TokenVerifier | null,
    readonly anonymous: Principal | null,
    private readonly revocations: RevocationCheck | null = null,
  ) {}

  /** A token that is sent is always verified, even where anonymous access is allowed. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (token === undefined || token === '') {
      if (this.anonymous) return this.anonymous;
      throw new AuthError('UNAUTHORIZED', 'a Bearer token is required (Authorization: Bearer <token>, or ?token=)');
    }
    if (!this.verifier) throw new AuthError('TOKEN_INVALID', 'this server has no key to verify tokens');
    const principal = await this.verifier.verify(token);
    if (this.revocations?.isRevoked(principal))
      throw new AuthError('TOKEN_REVOKED', 'this token has been revoked; obtain a new one', principal.id);
    return principal;
  }
}

/** Builds the authenticator from settings and says at start how callers are identified. */
export function createAuthenticator(
  settings: Pick<SettingsSections, 'auth' | 'process' | 'storage'>,
  logger: Logger,
  revocations: RevocationCheck | null = null,
): Authenticator {
  const mode = resolveAuthMode(settings);
  const secret = signingSecret(settings);
  if (secret?.source === 'dev') {
    const how = secret.created ? 'generated and saved' : 'reusing the one saved';
    logger.warn(
      { file: secret.file, created: secret.created },
      `JWT_SECRET is not set: ${how} in ${secret.file} (development only); npm run token signs with it`,
    );
  }
  const { auth } = settings;
  const verifier =
    secret || auth.jwksUrl
      ? new JoseTokenVerifier({
          ...(secret ? { secret: secret.secret } : {}),
          ...(auth.jwksUrl ? { jwksUrl: auth.jwksUrl } : {}),
          ...(auth.issuer ? { issuer: auth.issuer } : {}),
          ...(auth.audience ? { audience: auth.audience } : {}),
          clockToleranceSeconds: auth.clockToleranceSeconds,
          roles: roleResolver({
            ...(auth.rolesClaim ? { claimPath: auth.rolesClaim } : {}),
            roleMap: auth.roleMap,
          }),
        })
      : null;
  if (!mode.required)
    logger.warn(
      { user: ANONYMOUS_PRINCIPAL.id, roles: ANONYMOUS_PRINCIPAL.roles },
      'authentication is not required: requests without a token act as the local "anonymous" analyst',
    );
  return new Authenticator(verifier, mode.required ? null : ANONYMOUS_PRINCIPAL, revocations);
}
