import { Controller, Get, Req } from '@nestjs/common';
import type { Request } from 'express';
import { grantsOf, type Principal } from '#platform';
import { DocCurrentCaller } from './caller.docs.js';
import { principalOf } from './principal-of.js';

/** GET /api/v1/auth/me: who the server takes the caller for, as its own authenticator and role mapping read the token. */
export function callerView(principal: Principal) {
  return {
    user_id: principal.id,
    name: principal.name ?? null,
    anonymous: principal.anonymous === true,
    roles: [...principal.roles],
    permissions: grantsOf(principal),
    expires_at: principal.expiresAt === undefined ? null : new Date(principal.expiresAt * 1000).toISOString(),
  };
}

/** What a client shows follows from this answer, never from reading the token itself. */
@Controller('api/v1/auth')
export class CallerController {
  @Get('me')
  @DocCurrentCaller()
  me(@Req() req: Request) {
    return callerView(principalOf(req));
  }
}
