import type { ServerResponse } from 'node:http';
import type { Pacing } from '#eventsourcing';
import { pendingBytes } from './streaming-compression.middleware.js';

/** Re-checks a waiting response this often, in case its buffer shrank without a 'drain' event. */
const RECHECK_MS = 250;

/**
 * Whether nothing written to the response can reach its client any more. An HTTP/2
 * response (Node's compatibility object) has no `destroyed` of its own, and a stream reset
 * while its window was shut keeps its unsent bytes counted in `writableLength`: its
 * stream's `destroyed` says it.
 */
export function responseClosed(res: object): boolean {
  const { destroyed, stream } = res as { destroyed?: boolean; stream?: { destroyed?: boolean } };
  return destroyed === true || stream?.destroyed === true;
}

/**
 * A response's pace: it takes more while fewer than `limit` bytes wait for its client,
 * counting what gzip still holds. Waiting costs one listener pair and, for the slow
 * clients only, one timer.
 */
export function responsePacing(res: ServerResponse, limit: number): Pacing {
  const writable = (): boolean => responseClosed(res) || pendingBytes(res) < limit;
  return {
    ready: () => (writable() ? null : waitUntil(res, writable)),
  };
}

/** Resolves once fewer than `limit` bytes wait for the response's client, or it closed. */
export function waitUntilWritable(res: ServerResponse, limit: number): Promise<void> {
  const writable = (): boolean => responseClosed(res) || pendingBytes(res) < limit;
  return writable() ? Promise.resolve() : waitUntil(res, writable);
}

function waitUntil(res: ServerResponse, writable: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (!writable()) return;
      res.off('drain', check);
      res.off('close', check);
      clearInterval(timer);
      resolve();
    };
    const timer = setInterval(check, RECHECK_MS);
    timer.unref();
    res.on('drain', check);
    res.on('close', check);
  });
}

/** Resolves once `stream` emptied its buffer, or closed (before or while waiting). */
export function drained(
  stream: NodeJS.WritableStream & { once: ServerResponse['once']; off: ServerResponse['off'] },
): Promise<void> {
  if (responseClosed(stream)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}
