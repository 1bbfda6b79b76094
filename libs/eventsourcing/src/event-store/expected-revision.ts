import { WrongExpectedRevisionError } from './event-store.errors.js';
import type { ExpectedRevision } from './event-store.port.js';

/**
 * Throws unless `actual` (the stream's last revision, 0 when it does not exist) satisfies
 * `expected`. Every adapter that checks revisions itself goes through here so they all
 * agree on what 0, 'no_stream' and 'any' mean.
 */
export function assertExpectedRevision(streamId: string, expected: ExpectedRevision, actual: number): void {
  if (expected === 'any') return;
  const wanted = expected === 'no_stream' ? 0 : expected;
  if (!Number.isSafeInteger(wanted) || wanted < 0) {
    throw new RangeError(`stream ${streamId}: expected revision must be a non-negative integer, got ${expected}`);
  }
  if (actual !== wanted) throw new WrongExpectedRevisionError(streamId, expected, actual);
}
