import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AuthError, AuthUnavailableError, hasPermission, type Authenticator, type Principal } from '#platform';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { ApiError } from '../http/api-error.js';
import { AUTHENTICATOR } from '../tokens.js';
import { isPublic, requiredPermission } from './auth.decorators.js';
import { bearerToken } from './bearer-token.js';
import { setPrincipal } from './principal-of.js';
import { RevocableStreams } from './revocable-streams.js';

const REALM = 'Bearer realm="cidadao-ai"';
const CHALLENGES: Record<AuthError['code'], string> = {
  UNAUTHORIZED: REALM,
  TOKEN_EXPIRED: `${REALM}, error="invalid_token", error_description="the token has expired"`,
  TOKEN_INVALID: `${REALM}, error="invalid_token", error_description="the token is not valid"`,
  TOKEN_REVOKED: `${REALM}, error="invalid_token", error_description="the token has been revoked"`,
};

/**
 * Global: every HTTP route needs a caller (a verified token, or the embedded anonymous
 * analyst) unless @Public(), and the caller's roles must grant the route's @RequirePermission.
 * WebSocket gateways authenticate their upgrade with the same Authenticator instead.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    private readonly audit: AuditRecorder,
    private readonly streams: RevocableStreams,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || isPublic(this.reflector, context)) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const principal = await this.authenticate(req, http.getResponse<Response>());
    setPrincipal(req, principal);
    // Every stream is a GET: other requests are not worth tracking for revocation.
    if (req.method === 'GET') this.streams.track(principal, http.getResponse<Response>());
    const permission = requiredPermission(this.reflector, context);
    if (permission !== undefined && !hasPermission(principal, permission)) {
      await this.audit.accessDenied(req, principal, permission, req.path);
      const roles = principal.roles.length > 0 ? principal.roles.join(', ') : 'no role';
      throw new ApiError(403, 'FORBIDDEN', `${permission} is not granted to ${roles}`);
    }
    return true;
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
}
