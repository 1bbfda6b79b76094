import type { Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { IpRateLimitGuard, UserRateLimitGuard } from '../limits/rate-limit.guards.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { StreamGate } from '../limits/stream-gate.js';
import { SseEndpoints } from '../http/sse-endpoints.js';
import { Access } from './access.js';
import { AuthGuard } from './auth.guard.js';
import { RevocableStreams } from './revocable-streams.js';

/**
 * Authentication and limits of the API. Global guards run in this order: the address budget
 * first (it counts failed logins), then authentication, then the user budget (it needs the user).
 */
export const accessProviders: Provider[] = [
  RateLimiter,
  Access,
  RevocableStreams,
  StreamGate,
  SseEndpoints,
  { provide: APP_GUARD, useClass: IpRateLimitGuard },
  { provide: APP_GUARD, useClass: AuthGuard },
  { provide: APP_GUARD, useClass: UserRateLimitGuard },
];
