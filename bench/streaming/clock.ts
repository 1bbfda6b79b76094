import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Milliseconds on the system-wide monotonic clock (CLOCK_MONOTONIC on Linux). Unlike
 * `performance.now()`, whose origin is per process, this reading is comparable between the
 * API child process that appends and the parent that receives, and it never jumps with NTP.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Wall-clock time with the sub-millisecond resolution of the performance timeline. */
export function wallClockIso(): string {
  return new Date(performance.timeOrigin + performance.now()).toISOString();
}

/**
 * Calls `step(i)` for i in [0, count) at `ratePerSecond`, against an absolute schedule so
 * that a slow step does not stretch the run: late steps run as soon as they can.
 *
 * Every step starts from its own event-loop turn, as a real append does (it follows an
 * HTTP request or a bus message). Chaining late steps through promises alone would keep
 * the microtask queue busy, and Node would hold the responses' corked writes (flushed on
 * process.nextTick) until the whole run ended.
 */
export async function paced(
  count: number,
  ratePerSecond: number,
  step: (index: number) => Promise<void>,
): Promise<void> {
  const intervalMs = 1000 / ratePerSecond;
  const start = monotonicMs();
  for (let index = 0; index < count; index++) {
    const waitMs = start + index * intervalMs - monotonicMs();
    // Timers have 1 ms granularity: a shorter wait is an immediate turn.
    if (waitMs >= 1) await sleep(waitMs);
    else await new Promise<void>((resolve) => setImmediate(resolve));
    await step(index);
  }
}

/** Rejects with `message` when `promise` has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (after ${ms} ms)`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
