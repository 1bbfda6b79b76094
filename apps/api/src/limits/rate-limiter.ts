import { Injectable } from '@nestjs/common';
import { ApiError } from '../http/api-error.js';
import { SlidingWindowCounter } from './sliding-window.js';

const WINDOW_MS = 60_000;

/** One-minute sliding budgets per address and per user, shared by every route of the process. */
@Injectable()
export class RateLimiter {
  private readonly counter = new SlidingWindowCounter(WINDOW_MS);

  /** Counts one request; over the budget it is a 429 whose Retry-After is when a slot frees. */
  hit(bucket: 'ip' | 'user', tracker: string, limitPerMinute: number): void {
    const waitMs = this.counter.take(`${bucket}:${tracker}`, limitPerMinute);
    if (waitMs === 0) return;
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    const who = bucket === 'ip' ? 'this address' : 'this user';
    throw new ApiError(429, 'RATE_LIMITED', `more than ${limitPerMinute} requests a minute from ${who}; retry in ${retryAfter} s`, undefined, retryAfter);
  }
}

