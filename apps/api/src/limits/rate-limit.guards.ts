import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Access } from '../auth/access.js';
import { isPublic } from '../auth/auth.decorators.js';

const limitedHttp = (reflector: Reflector, context: ExecutionContext): boolean =>
  context.getType() === 'http' && !isPublic(reflector, context);

/** Runs before authentication, so failed logins spend the address's budget too. */
@Injectable()
export class IpRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: Access,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (limitedHttp(this.reflector, context))
      await this.access.spendAddressBudget(context.switchToHttp().getRequest<Request>());
    return true;
  }
}

/** Runs after authentication; the shared anonymous user of embedded mode is bounded by its address only. */
@Injectable()
export class UserRateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: Access,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (limitedHttp(this.reflector, context))
      await this.access.spendUserBudget(context.switchToHttp().getRequest<Request>());
    return true;
  }
}
