import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  AuthError,
  AuthUnavailableError,
  hasPermission,
  type Authenticator,
  type Permission,
  type HttpSettings,
  type Principal,
} from '#platform';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { ApiError } from '../http/api-error.js';
import { clientIp } from '../http/client-ip.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { AUTHENTICATOR, SETTINGS } from '../tokens.js';
import { bearerToken } from './bearer-token.js';
import { principalOf, setPrincipal } from './principal-of.js';
import { RevocableStreams } from './revocable-streams.js';

const REALM = 'Bearer realm="cidadao-ai"';
const CHALLENGES: Record<AuthError['code'], string> = {
  UNAUTHORIZED: REALM,
  TOKEN_EXPIRED: `${REALM}, error="invalid_token", error_description="the token has expired"`,
  TOKEN_INVALID: `${REALM}, error="invalid_token", error_description="the token is not valid"`,
  TOKEN_REVOKED: `${REALM}, error="invalid_token", error_description="the token has been revoked"`,
};

/**
 * Who may call a non-public HTTP route, in the order the checks run: the address's rate
 * budget (it counts failed logins), authentication and the route's permission, then the
 * user's budget. The global guards call these steps one each; the stream fast path calls
 * `admitRequest`, which runs all three.
 */
@Injectable()
export class Access {
  constructor(
    @Inject(SETTINGS.http) private readonly http: HttpSettings,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    private readonly audit: AuditRecorder,
    private readonly streams: RevocableStreams,
    private readonly limiter: RateLimiter,
  ) {}

  async admitRequest(req: Request, res: Response, permission: Permission | undefined): Promise<void> {
    await this.spendAddressBudget(req);
    await this.authorise(req, res, permission);
    await this.spendUserBudget(req);
  }

  /** Runs before authentication, so failed logins spend the address's budget too. */
  async spendAddressBudget(req: Request): Promise<void> {
    await this.spend(req, 'ip', clientIp(req, this.http), null);
  }

  /** The caller (a verified token, or the embedded anonymous analyst), whose roles must grant `permission`. */
  async authorise(req: Request, res: Response, permission: Permission | undefined): Promise<void> {
    const principal = await this.authenticate(req, res);
    setPrincipal(req, principal);
    // Every stream is a GET: other requests are not worth tracking for revocation.
    if (req.method === 'GET') this.streams.track(principal, res);
    if (permission !== undefined && !hasPermission(principal, permission)) {
      await this.audit.accessDenied(req, principal, permission, req.path);
      const roles = principal.roles.length > 0 ? principal.roles.join(', ') : 'no role';
      throw new ApiError(403, 'FORBIDDEN', `${permission} is not granted to ${roles}`);
    }
  }

  /** Runs after authentication; the shared anonymous user of embedded mode is bounded by its address only. */
  async spendUserBudget(req: Request): Promise<void> {
    const principal = principalOf(req);
    if (!principal.anonymous) await this.spend(req, 'user', principal.id, principal.id);
  }

  private async authenticate(req: Request, res: Response): Promise<Principal> {
    try {
      const token = bearerToken(req);
      const principal = await this.authenticator.authenticate(token);
      await this.audit.loginSucceeded(req, principal, `${principal.id}:${token?.slice(-24) ?? ''}`);
      return principal;
    } catch (error) {
      if (error instanceof AuthError) {
        await this.audit.loginFailed(req, error.code, error.message, error.subject);
        res.setHeader('WWW-Authenticate', CHALLENGES[error.code]);
        throw new ApiError(401, error.code, error.message);
      }
      if (error instanceof AuthUnavailableError)
        throw new ApiError(503, 'AUTH_UNAVAILABLE', error.message, undefined, 5);
      throw error;
    }
  }

  /** Spends one request of `key`'s budget; the refusal is audited once before it propagates as a 429. */
  private async spend(req: Request, kind: 'ip' | 'user', key: string, userId: string | null): Promise<void> {
    try {
      await this.limiter.spend(kind, key);
    } catch (error) {
      await this.audit.rateLimited(req, kind, key, userId);
      throw error;
    }
  }
}
