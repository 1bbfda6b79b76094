import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { PermanentCommandError } from './command-bus.errors.js';
import type { CommandTarget } from './command-bus.port.js';

export const DEFAULT_MAX_DELIVER = 5;
export const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60 * 60 * 1000;

/** Values of the `reason` label of commands_dead_lettered_total. */
export type DeadLetterReason = 'permanent' | 'max_deliver' | 'unparseable';

export type FailureOutcome =
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'dead-letter'; readonly reason: DeadLetterReason };

export type RetryDelay = (attempt: number) => number;

/** Exponential and capped: a struggling dependency gets room to recover between retries. */
export const defaultRetryDelayMs: RetryDelay = (attempt) => Math.min(1000 * 2 ** Math.max(0, attempt - 1), 30_000);

export function decideFailure(
  error: unknown,
  deliveryCount: number,
  maxDeliver: number,
  retryDelayMs: RetryDelay,
): FailureOutcome {
  if (error instanceof PermanentCommandError) return { kind: 'dead-letter', reason: 'permanent' };
  if (deliveryCount >= maxDeliver) return { kind: 'dead-letter', reason: 'max_deliver' };
  return { kind: 'retry', delayMs: Math.max(0, retryDelayMs(deliveryCount)) };
}

export interface DeadLetter {
  readonly commandType: string;
  readonly commandId?: string;
  readonly target?: CommandTarget;
  /** Where the message came from, when the bus has subjects. */
  readonly subject?: string;
  readonly deliveryCount: number;
  readonly reason: DeadLetterReason;
  readonly error?: unknown;
}

/** A dead letter is lost work: it is always logged as an error and counted for alerting. */
export function reportDeadLetter(
  deps: { readonly logger: Logger; readonly metrics?: Metrics },
  letter: DeadLetter,
): void {
  deps.logger.error(
    {
      commandType: letter.commandType,
      commandId: letter.commandId,
      target: letter.target,
      subject: letter.subject,
      deliveryCount: letter.deliveryCount,
      reason: letter.reason,
      err: letter.error,
    },
    'command dead-lettered',
  );
  deps.metrics?.commandsDeadLettered.inc({ command: letter.commandType, reason: letter.reason });
}

export function assertMaxDeliver(maxDeliver: number): void {
  if (!Number.isInteger(maxDeliver) || maxDeliver < 1) {
    throw new RangeError(`maxDeliver must be a positive integer, got ${maxDeliver}`);
  }
}
