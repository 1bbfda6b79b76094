import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { Access } from './access.js';
import { isPublic, requiredPermission } from './auth.decorators.js';

/**
 * Global: every HTTP route needs a caller (a verified token, or the embedded anonymous
 * analyst) unless @Public(), and the caller's roles must grant the route's @RequirePermission.
 * WebSocket gateways authenticate their upgrade with the same Authenticator instead.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: Access,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || isPublic(this.reflector, context)) return true;
    const http = context.switchToHttp();
    const permission = requiredPermission(this.reflector, context);
    await this.access.authorise(http.getRequest<Request>(), http.getResponse<Response>(), permission);
    return true;
  }
}
