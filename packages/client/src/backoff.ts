export interface BackoffOptions {
  /** The first wait; doubled per failure in a row. Default 1 s. */
  readonly initialDelayMs?: number;
  /** The longest wait. Default 30 s. */
  readonly maxDelayMs?: number;
  /** A number in [0, 1); Math.random by default (tests pass their own). */
  readonly random?: () => number;
}

/**
 * How long to wait before attempt `attempt` (1 for the first retry): exponential, with
 * "equal jitter" (half the delay fixed, half random), so that after a rolling deploy the
 * clients a server dropped come back spread over seconds rather than all at once.
 * A delay the server asked for (Retry-After, retry_after) is a floor, jittered upwards.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, askedMs: number | null = null): number {
  const random = options.random ?? Math.random;
  const cap = options.maxDelayMs ?? 30_000;
  const ceiling = Math.min(cap, (options.initialDelayMs ?? 1000) * 2 ** Math.max(0, attempt - 1));
  if (askedMs !== null) return Math.round(askedMs + random() * Math.min(ceiling, Math.max(askedMs, 1000)) * 0.5);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Resolves true after `ms`, false at once when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
