import { setTimeout as pause } from 'node:timers/promises';

const POLL_MS = 20;

/**
 * Waits until `probe` returns a value that is not undefined, re-checking every few
 * milliseconds. Rejects naming `what` after `timeoutMs`: a condition, never a fixed sleep.
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 15_000,
  /** Between checks; longer for a probe that costs the server (and the caller's rate limit) a request or more. */
  pollMs = POLL_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(pollMs);
  }
}
