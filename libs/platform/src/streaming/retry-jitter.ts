/** How far a stream's `retry:` may stray from SSE_RETRY_MS, either way. */
export const RETRY_JITTER = 0.2;

/**
 * The `retry:` one stream opens with: SSE_RETRY_MS moved at random within ±20 %, so the
 * clients a rolling deploy disconnects together do not all come back in the same instant.
 */
export function jitteredRetryMs(baseMs: number, random: () => number = Math.random): number {
  const factor = 1 - RETRY_JITTER + 2 * RETRY_JITTER * random();
  return Math.max(1, Math.round(baseMs * factor));
}
