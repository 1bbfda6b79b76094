import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { HttpSettings, RateLimitSettings } from '#platform';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { isPublic } from '../auth/auth.decorators.js';
import { principalOf } from '../auth/principal-of.js';
import { SETTINGS } from '../tokens.js';
import { clientIp } from '../http/client-ip.js';
import { RateLimiter } from './rate-limiter.js';

const limitedHttp = (reflector: Reflector, context: ExecutionContext, limit: number): boolean =>
  limit > 0 && context.getType() === 'http' && !isPublic(reflector, context);

/** Spends one request of `key`'s budget; the refusal is audited once before it propagates as a 429. */
async function spend(
  limiter: RateLimiter,
  audit: AuditRecorder,
  req: Request,
  budget: { kind: 'ip' | 'user'; key: string; limit: number; userId: string | null },
): Promise<true> {
  try {
    await limiter.hit(budget.kind, budget.key, budget.limit);
  } catch (error) {
    await audit.rateLimited(req, budget.kind, budget.key, budget.userId);
    throw error;
  }
  return true;
}

/** Runs before authentication, so failed logins spend the address's budget too. */
@Injectable()
export class IpRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
    @Inject(SETTINGS.rateLimits) private readonly rateLimits: RateLimitSettings,
    @Inject(SETTINGS.http) private readonly http: HttpSettings,
    private readonly audit: AuditRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limit = this.rateLimits.perMinuteIp;
    if (!limitedHttp(this.reflector, context, limit)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const address = clientIp(req, this.http);
    return spend(this.limiter, this.audit, req, { kind: 'ip', key: address, limit, userId: null });
  }
}

/** Runs after authentication; the shared anonymous user of embedded mode is bounded by its address only. */
@Injectable()
export class UserRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
    @Inject(SETTINGS.rateLimits) private readonly rateLimits: RateLimitSettings,
    private readonly audit: AuditRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limit = this.rateLimits.perMinute;
    if (!limitedHttp(this.reflector, context, limit)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const principal = principalOf(req);
    if (principal.anonymous) return true;
    return spend(this.limiter, this.audit, req, { kind: 'user', key: principal.id, limit, userId: principal.id });
  }
}
