import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Runtime } from '#platform';
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
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const limit = this.runtime.settings.RATE_LIMIT_PER_MINUTE_IP;
    if (!limitedHttp(this.reflector, context, limit)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    this.limiter.hit('ip', clientAddress(req.ip ?? req.socket.remoteAddress), limit);
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
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const limit = this.runtime.settings.RATE_LIMIT_PER_MINUTE;
    if (!limitedHttp(this.reflector, context, limit)) return true;
    const principal = principalOf(context.switchToHttp().getRequest<Request>());
    if (principal.anonymous) return true;
    this.limiter.hit('user', principal.id, limit);
    return true;
  }
}
