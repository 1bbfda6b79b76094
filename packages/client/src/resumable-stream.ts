import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import { CidadaoApiError, isRetryableStatus, StreamDropped, StreamEnded } from './client-errors.js';
import type { TokenSource } from './token-source.js';

/** A message and the id to resume after it (the SSE `id:`, the WebSocket message's `id`). */
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

export interface StreamOptions extends BackoffOptions {
  /** Resume after this id (an EventSource's Last-Event-ID); none: from the start. */
  readonly lastEventId?: string;
  /** Aborting ends the loop (it returns) and closes the connection. */
  readonly signal?: AbortSignal;
  /** Failed attempts in a row before giving up; a received message resets the count. Default 10. */
  readonly maxAttempts?: number;
  readonly onReconnect?: (info: ReconnectInfo) => void;
}

/** One message a transport received: its resume id (none for control messages) and its JSON. */
export interface Frame {
  readonly id: string | undefined;
  readonly data: unknown;
}

export interface ConnectRequest {
  readonly lastEventId: string | undefined;
  readonly token: string | undefined;
  readonly signal: AbortSignal;
  /** The server's `retry:` (SSE), which becomes the first backoff delay. */
  retryMs?: number;
}

/**
 * One connection of some transport, after `lastEventId`. It yields frames until the
 * connection ends (the loop then decides whether to reconnect), throws CidadaoApiError for a
 * refusal, StreamEnded when the server says the stream is over, anything else for a drop.
 */
export type Transport = (request: ConnectRequest) => AsyncIterable<Frame>;

/** What a kind of stream means by "over". */
export interface StreamKind<T> {
  /** After this message the stream is over. */
  isTerminal(message: T): boolean;
  /** The server closed the connection after this message, and that closes the stream too. */
  endsOnClose?(last: T | undefined): boolean;
}

/** An error the server sends instead of an event (no id): the stream was interrupted, resume later. */
function interruption(frame: Frame): StreamDropped | null {
  if (frame.id !== undefined || typeof frame.data !== 'object' || frame.data === null) return null;
  const { type, retry_after, message } = frame.data as { type?: unknown; retry_after?: unknown; message?: unknown };
  if (type !== 'error') return null;
  const seconds = typeof retry_after === 'number' ? retry_after : null;
  return new StreamDropped(
    typeof message === 'string' ? message : 'interrupted',
    seconds === null ? null : seconds * 1000,
  );
}

/**
 * A stream that survives its connections: on a drop, a server restart, a 503 or a stream
 * the server ended early, it reconnects with the last id received, so the loop sees every
 * message once, in order, whatever the transport. A 401 asks the token source for a new
 * token once; errors a retry cannot fix (400, 403, 404) are thrown as CidadaoApiError.
 * Breaking out of the loop or aborting the signal closes the connection.
 */
export async function* resumableStream<T>(
  transport: Transport,
  kind: StreamKind<T>,
  tokens: TokenSource,
  options: StreamOptions = {},
): AsyncGenerator<StreamMessage<T>> {
  let lastEventId = options.lastEventId;
  let last: T | undefined;
  let failures = 0;
  let renewed = false;
  let serverRetryMs: number | undefined;
  for (;;) {
    if (options.signal?.aborted) return;
    const connection = new AbortController();
    const stop = (): void => connection.abort();
    options.signal?.addEventListener('abort', stop, { once: true });
    let cause: unknown;
    let askedMs: number | null = null;
    try {
      const token = await tokens.current();
      const request: ConnectRequest = { lastEventId, token, signal: connection.signal };
      try {
        for await (const frame of transport(request)) {
          if (request.retryMs !== undefined) serverRetryMs = request.retryMs;
          const interrupted = interruption(frame);
          if (interrupted) throw interrupted;
          if (frame.id !== undefined) lastEventId = frame.id;
          const message = frame.data as T;
          last = message;
          failures = 0;
          renewed = false;
          yield { id: frame.id, message };
          if (kind.isTerminal(message)) return;
        }
      } catch (error) {
        if (!(error instanceof CidadaoApiError && error.status === 401 && tokens.renewable && !renewed)) throw error;
        renewed = true;
        await tokens.renew(token);
        continue;
      }
      if (kind.endsOnClose?.(last)) return;
      cause = new StreamDropped('the stream ended before its last message');
    } catch (error) {
      if (options.signal?.aborted || error instanceof StreamEnded) return;
      if (error instanceof CidadaoApiError) {
        if (!isRetryableStatus(error.status)) throw error;
        askedMs = error.retryAfterSeconds === null ? null : error.retryAfterSeconds * 1000;
      }
      if (error instanceof StreamDropped) askedMs = error.retryAfterMs;
      cause = error;
    } finally {
      options.signal?.removeEventListener('abort', stop);
      connection.abort();
    }
    failures++;
    if (failures > (options.maxAttempts ?? 10))
      throw new Error(`gave up after ${failures - 1} reconnections`, { cause });
    const initialDelayMs = options.initialDelayMs ?? serverRetryMs;
    const delayMs = backoffDelay(
      failures,
      { ...options, ...(initialDelayMs === undefined ? {} : { initialDelayMs }) },
      askedMs,
    );
    options.onReconnect?.({ attempt: failures, lastEventId, delayMs, cause });
    if (!(await sleep(delayMs, options.signal))) return;
  }
}
