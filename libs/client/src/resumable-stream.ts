import { apiErrorOf, CidadaoApiError, isRetryableStatus } from './client-errors.js';
import { SseParser } from './sse-parser.js';

/** A message and the id to resume after it (the SSE `id:`). */
export interface StreamMessage<T> {
  readonly id: string | undefined;
  readonly message: T;
}

export interface ReconnectInfo {
  /** Failed attempts in a row, 1 for the first reconnection after a drop. */
  readonly attempt: number;
  readonly lastEventId: string | undefined;
  readonly delayMs: number;
  readonly cause: unknown;
}

export interface StreamOptions {
  /** Resume after this id (an EventSource's Last-Event-ID); none: from the start. */
  readonly lastEventId?: string;
  readonly signal?: AbortSignal;
  /** Failed attempts in a row before giving up; a received message resets the count. Default 10. */
  readonly maxAttempts?: number;
  /** Wait when the server said nothing (`retry:`, Retry-After); doubled per failure up to 30 s. Default 1 s. */
  readonly initialDelayMs?: number;
  readonly onReconnect?: (info: ReconnectInfo) => void;
}

export interface ResumableSource<T> {
  open(lastEventId: string | undefined, signal: AbortSignal): Promise<Response>;
  parse(data: string): T;
  /** After this message the stream is over: no reconnection. */
  isTerminal(message: T): boolean;
  /** A message that announces an interrupted stream: seconds to wait before resuming, else null. */
  interruption(message: T): number | null;
}

const MAX_DELAY_MS = 30_000;

class Interrupted extends Error {
  constructor(readonly delayMs: number | null) {
    super('the server interrupted the stream');
  }
}

/**
 * An SSE stream that survives its connection: on a drop, a server restart, a 503 or a
 * stream the server ended early, it reconnects with `Last-Event-ID` = the last id received,
 * so the caller sees every message once, in order. Errors a retry cannot fix (401, 403,
 * 404, 400) are thrown as CidadaoApiError. Breaking out of the loop closes the connection.
 */
export async function* resumableStream<T>(
  source: ResumableSource<T>,
  options: StreamOptions = {},
): AsyncGenerator<StreamMessage<T>> {
  let lastEventId = options.lastEventId;
  let serverRetryMs: number | undefined;
  let failures = 0;
  for (;;) {
    if (options.signal?.aborted) return;
    const connection = new AbortController();
    const stop = (): void => connection.abort();
    options.signal?.addEventListener('abort', stop, { once: true });
    let cause: unknown = new Error('the stream ended before its last message');
    let askedDelayMs: number | null = null;
    try {
      const response = await source.open(lastEventId, connection.signal);
      // 204: the server says the stream ended at or before lastEventId; nothing will follow.
      if (response.status === 204) return;
      if (!response.ok) {
        const error = await apiErrorOf(response);
        if (!isRetryableStatus(response.status)) throw error;
        cause = error;
        askedDelayMs = error.retryAfterSeconds === null ? null : error.retryAfterSeconds * 1000;
      } else {
        const parser = new SseParser();
        const decoder = new TextDecoder();
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
          const { events, retryMs } = parser.push(decoder.decode(chunk, { stream: true }));
          if (retryMs !== undefined) serverRetryMs = retryMs;
          for (const event of events) {
            const message = source.parse(event.data);
            const pause = source.interruption(message);
            if (pause !== null) throw new Interrupted(pause * 1000);
            if (event.id !== undefined) lastEventId = event.id;
            failures = 0;
            yield { id: event.id, message };
            if (source.isTerminal(message)) return;
          }
        }
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      if (error instanceof CidadaoApiError) throw error;
      cause = error;
      if (error instanceof Interrupted) askedDelayMs = error.delayMs;
    } finally {
      options.signal?.removeEventListener('abort', stop);
      connection.abort();
    }
    failures++;
    if (failures > (options.maxAttempts ?? 10))
      throw new Error(`gave up after ${failures - 1} reconnections`, { cause });
    // What the server asked for, else its retry: (or ours) doubled per failure in a row.
    const delayMs =
      askedDelayMs ?? Math.min(MAX_DELAY_MS, (serverRetryMs ?? options.initialDelayMs ?? 1000) * 2 ** (failures - 1));
    options.onReconnect?.({ attempt: failures, lastEventId, delayMs, cause });
    if (!(await sleep(delayMs, options.signal))) return;
  }
}

/** False when aborted while waiting. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
