import { EMPTY, takeUntil, timeout, timer, type MonoTypeOperatorFunction } from 'rxjs';

export interface StreamLimits {
  /** Seconds without an event before the stream ends (keepalives do not count); 0: never. */
  readonly idleSeconds: number;
  /** Seconds a stream may stay open at most; 0: no limit. */
  readonly maxSeconds: number;
}

/**
 * Completes, rather than errors, a stream that went quiet or lived too long: the response
 * ends cleanly and the client reconnects with Last-Event-ID, missing nothing. This frees
 * the slot and the sockets that forgotten tabs and dead proxies would otherwise hold.
 */
export function withStreamLimits<T>(limits: StreamLimits): MonoTypeOperatorFunction<T> {
  return (source) => {
    let limited = source;
    if (limits.idleSeconds > 0) limited = limited.pipe(timeout({ each: limits.idleSeconds * 1000, with: () => EMPTY }));
    if (limits.maxSeconds > 0) limited = limited.pipe(takeUntil(timer(limits.maxSeconds * 1000)));
    return limited;
  };
}
