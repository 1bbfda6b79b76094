import type Database from 'better-sqlite3';
import { FEED_TIMEOUT_MS } from '#eventsourcing/testing';

/** Events of the file, as another connection sees them. */
export const countRows = (reader: Database.Database): number =>
  reader.prepare<[], number>('SELECT count(*) FROM events').pluck().get() ?? -1;

/**
 * Blocks this thread until `done` holds: nothing else of it runs meanwhile (no answer of the
 * writer thread is read), while the writer thread goes on.
 */
export function blockUntil(done: () => boolean): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + FEED_TIMEOUT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    Atomics.wait(sleeper, 0, 0, 1);
  }
}
