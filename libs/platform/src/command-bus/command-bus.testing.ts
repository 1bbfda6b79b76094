import { randomUUID } from 'node:crypto';
import type { Metrics } from '../metrics/metrics.js';
import type { RoutedCommand } from './command-bus.port.js';

/** Test support shared by the command bus specs. */

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const DEFAULT_TIMEOUT_MS = 20_000;
const POLL_MS = 10;

/** Resolves with the promise's value, or fails naming what was awaited. */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls a condition until it holds; the timeout only bounds a failing test. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export function routedCommand(
  overrides: { aggregate?: string; id?: string; type?: string; commandId?: string } = {},
): RoutedCommand {
  return {
    target: { aggregate: overrides.aggregate ?? 'investigation', id: overrides.id ?? `inv-${randomUUID()}` },
    command: {
      type: overrides.type ?? 'StartInvestigation',
      data: { query: 'contratos de merenda', limit: 10 },
      metadata: {
        commandId: overrides.commandId ?? randomUUID(),
        correlationId: randomUUID(),
        userId: 'user-1',
        issuedAt: '2024-05-01T12:00:00.000Z',
      },
    },
  };
}

/** Sum of commands_dead_lettered_total, optionally for one reason only. */
export async function deadLettered(metrics: Metrics, reason?: string): Promise<number> {
  const { values } = await metrics.commandsDeadLettered.get();
  return values
    .filter((sample) => reason === undefined || sample.labels.reason === reason)
    .reduce((sum, sample) => sum + sample.value, 0);
}
