import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Runtime } from '#platform';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { isPublic } from '../auth/auth.decorators.js';
import { principalOf } from '../auth/principal-of.js';
import { RUNTIME } from '../tokens.js';
import { clientAddress, RateLimiter } from './rate-limiter.js';

const limitedHttp = (reflector: Reflector, context: ExecutionContext, limit: number): boolean =>
  limit > 0 && context.getType() === 'http' && !isPublic(reflector, context);

/** Runs before authentication, so failed logins spend the address's budget too. */
@Injectable()
export class IpRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly audit: AuditRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limit = this.runtime.settings.RATE_LIMIT_PER_MINUTE_IP;
    if (!limitedHttp(this.reflector, context, limit)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const address = clientAddress(req.ip ?? req.socket.remoteAddress);
    try {
      this.limiter.hit('ip', address, limit);
    } catch (error) {
      await this.audit.rateLimited(req, 'ip', address, null);
      throw error;
    }
    return true;
  }
}

/** Runs after authentication; the shared anonymous user of embedded mode is bounded by its address only. */
@Injectable()
export class UserRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly audit: AuditRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limit = this.runtime.settings.RATE_LIMIT_PER_MINUTE;
    if (!limitedHttp(this.reflector, context, limit)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const principal = principalOf(req);
    if (principal.anonymous) return true;
    try {
      this.limiter.hit('user', principal.id, limit);
    } catch (error) {
      await this.audit.rateLimited(req, 'user', principal.id, principal.id);
      throw error;
    }
    return true;
  }
}
