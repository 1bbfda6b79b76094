import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AuthError, AuthUnavailableError, type Authenticator, type Principal, type Runtime } from '#platform';
import { bearerToken } from '../auth/bearer-token.js';
import { setPrincipal } from '../auth/principal-of.js';
import { ApiError } from '../http/api-error.js';
import { callerOf } from '../http/caller.js';
import type { Caller } from '../investigations/investigations.service.js';
import { clientIp } from '../http/client-ip.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { AUTHENTICATOR, RUNTIME } from '../tokens.js';

/**
 * The chat routes are public, as in the seed: no token needed, which also skips the global
 * guards. Two things still hold: each address keeps its request budget (chat costs model
 * calls), and a caller who does send a token is who it says, so what the chat starts is theirs.
 */
@Injectable()
export class ChatAccess {
  constructor(
    private readonly limiter: RateLimiter,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  async admit(req: Request): Promise<Caller> {
    const limit = this.runtime.settings.RATE_LIMIT_PER_MINUTE_IP;
    if (limit > 0) await this.limiter.hit('ip', clientIp(req, this.runtime.settings), limit);
    const principal = await this.identify(req);
    if (principal) setPrincipal(req, principal);
    return callerOf(req);
  }

  private async identify(req: Request): Promise<Principal | null> {
    try {
      const token = bearerToken(req);
      if (token === undefined) return this.authenticator.anonymous;
      return await this.authenticator.authenticate(token);
    } catch (error) {
      if (error instanceof AuthError) throw new ApiError(401, error.code, error.message);
      if (error instanceof AuthUnavailableError) throw new ApiError(503, 'AUTH_UNAVAILABLE', error.message, undefined, 5);
      throw error;
    }
  }
}
