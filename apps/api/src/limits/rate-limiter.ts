import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  openRateBudgets,
  type Logger,
  type ProcessSettings,
  type RateBudgets,
  type RateLimitSettings,
  type StorageSettings,
} from '#platform';
import type { IncomingMessage } from 'node:http';
import type { HttpSettings } from '#platform';
import { ApiError } from '../http/api-error.js';
import { clientIp } from '../http/client-ip.js';
import { LOGGER, SETTINGS } from '../tokens.js';

/** A request refused for its address's budget: status, JSON body and headers (Retry-After). */
export interface AddressRefusal {
  readonly status: number;
  readonly body: { readonly error_code: string; readonly message: string };
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * One-minute budgets per address and per user, shared by every route of the process and,
 * in distributed mode, by every API process (see openRateBudgets): N processes do not
 * give a user N times RATE_LIMIT_PER_MINUTE.
 */
@Injectable()
export class RateLimiter implements OnModuleInit, OnApplicationShutdown {
  private budgets: RateBudgets | null = null;

  constructor(
    @Inject(SETTINGS.rateLimits) private readonly rateLimits: RateLimitSettings,
    @Inject(SETTINGS.process) private readonly process: ProcessSettings,
    @Inject(SETTINGS.storage) private readonly storage: StorageSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const { rateLimits, process, storage } = this;
    this.budgets = await openRateBudgets(
      { rateLimits, process, storage },
      this.logger.child({ component: 'rate-limits' }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.budgets?.close();
    this.budgets = null;
  }

  /** Counts one request against the address's or the user's budget, unless the settings turn that budget off. */
  async spend(bucket: 'ip' | 'user', tracker: string): Promise<void> {
    const limit = bucket === 'ip' ? this.rateLimits.perMinuteIp : this.rateLimits.perMinute;
    if (limit > 0) await this.hit(bucket, tracker, limit);
  }

  /**
   * Counts a request that never reaches a route (a WebSocket upgrade, a Socket.IO session)
   * against its address's budget: null within it, else the answer to refuse it with.
   */
  async refusalOf(req: IncomingMessage, http: HttpSettings): Promise<AddressRefusal | null> {
    try {
      await this.spend('ip', clientIp(req, http));
      return null;
    } catch (error) {
      if (!(error instanceof ApiError))
        return {
          status: 503,
          body: { error_code: 'SERVICE_UNAVAILABLE', message: 'too many connections' },
          headers: {},
        };
      return {
        status: error.status,
        body: { error_code: error.code, message: error.message },
        headers: error.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(error.retryAfterSeconds) },
      };
    }
  }

  /** Counts one request; over the budget it is a 429 whose Retry-After is when the budget refills. */
  async hit(bucket: 'ip' | 'user', tracker: string, limitPerMinute: number): Promise<void> {
    if (!this.budgets)
      throw new ApiError(503, 'SHUTTING_DOWN', 'this server is restarting; retry shortly', undefined, 1);
    const verdict = await this.budgets.take(bucket, tracker, limitPerMinute);
    if (verdict.allowed) return;
    const retryAfter = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
    const who = bucket === 'ip' ? 'this address' : 'this user';
    throw new ApiError(
      429,
      'RATE_LIMITED',
      `more than ${limitPerMinute} requests a minute from ${who}; retry in ${retryAfter} s`,
      undefined,
      retryAfter,
    );
  }
}
