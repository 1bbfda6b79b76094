import { WrongExpectedRevisionError } from './event-store.errors.js';
import type { ExpectedRevision } from './event-store.port.js';

/**
 * The last revision `expected` asks the stream to have (0: no stream), or null for 'any'.
 * Throws a RangeError for an expectation no stream can meet (a negative or fractional number).
 */
export function expectedLastRevision(streamId: string, expected: ExpectedRevision): number | null {
  if (expected === 'any') return null;
  const wanted = expected === 'no_stream' ? 0 : expected;
  if (!Number.isSafeInteger(wanted) || wanted < 0) {
    throw new RangeError(`stream ${streamId}: expected revision must be a non-negative integer, got ${expected}`);
  }
  return wanted;
}

/**
 * Throws unless `actual` (the stream's last revision, 0 when it does not exist) satisfies
 * `expected`. Every adapter that checks revisions itself goes through here so they all
 * agree on what 0, 'no_stream' and 'any' mean.
 */
export function assertExpectedRevision(streamId: string, expected: ExpectedRevision, actual: number): void {
  const wanted = expectedLastRevision(streamId, expected);
  if (wanted !== null && actual !== wanted) throw new WrongExpectedRevisionError(streamId, expected, actual);
}
