import type { ServerResponse } from 'node:http';
import { type Observable, type Subscription } from 'rxjs';
import { pendingBytes } from './streaming-compression.middleware.js';

/** One SSE message: `id` is the resume point a client sends back as Last-Event-ID. */
export interface SseMessage {
  readonly id?: string | number;
  readonly data: unknown;
}

export interface SseOptions {
  readonly retryMs: number;
  readonly keepaliveSeconds: number;
  /** Called after each message is written (metrics). */
  readonly onSent?: () => void;
  /** Message sent when the source errors, before the stream ends. */
  readonly errorMessage?: (error: unknown) => SseMessage;
  /** Called once when the response ends, for whatever reason. */
  readonly onClose?: () => void;
  /**
   * SSE_BUFFER_SIZE. Sources paced with responsePacing stop writing once this many bytes
   * wait for the client (gzip's queues included) and read on from the store when it drained.
   * A client holding twice this is one an unpaced source outran: it is cut off, so memory
   * stays bounded, and resumes with Last-Event-ID.
   */
  readonly maxBufferedBytes?: number;
  readonly onOverflow?: () => void;
}

const HTTP2_SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  'X-Accel-Buffering': 'no',
};
export const SSE_HEADERS: Readonly<Record<string, string>> = { ...HTTP2_SSE_HEADERS, Connection: 'keep-alive' };

/** HTTP/2 has no connection-specific headers (RFC 9113 §8.2.2): its responses go without `Connection`. */
export const isHttp2Response = (res: ServerResponse): boolean => (res.req?.httpVersionMajor ?? 1) >= 2;

export const sseHeadersOf = (res: ServerResponse): Readonly<Record<string, string>> =>
  isHttp2Response(res) ? HTTP2_SSE_HEADERS : SSE_HEADERS;

/** Serialises one message. No `event:` field: clients read `data:` lines only. */
export function formatSse(message: SseMessage): string {
  return sseText(message.id, JSON.stringify(message.data));
}

/** One message from its id and its data's JSON text, for frames that keep the text they encoded. */
export function sseText(id: string | number | undefined, json: string): string {
  return id === undefined ? `data: ${json}\n\n` : `id: ${id}\ndata: ${json}\n\n`;
}

/**
 * Streams an Observable as SSE on a raw response. The subscription is owned by the
 * response: a client that goes away unsubscribes it, and a completed source ends the
 * response.
 */
export function writeSse(res: ServerResponse, source: Observable<SseMessage>, options: SseOptions): Subscription {
  res.writeHead(200, sseHeadersOf(res));
  res.write(`retry: ${options.retryMs}\n\n`);
  res.flushHeaders?.();
  const flush = (): void => (res as ServerResponse & { flush?: () => void }).flush?.();
  const keepalive = setInterval(() => {
    res.write(': keepalive\n\n');
    flush();
  }, options.keepaliveSeconds * 1000);
  keepalive.unref();
  let closed = false;
  const finish = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    options.onClose?.();
  };
  const subscription = source.subscribe({
    next: (message) => {
      res.write(formatSse(message));
      flush();
      options.onSent?.();
      if (options.maxBufferedBytes !== undefined && pendingBytes(res) > 2 * options.maxBufferedBytes) {
        options.onOverflow?.();
        res.destroy();
      }
    },
    error: (error: unknown) => {
      if (options.errorMessage) res.write(formatSse(options.errorMessage(error)));
      finish();
      res.end();
    },
    complete: () => {
      finish();
      res.end();
    },
  });
  res.on('close', () => {
    finish();
    subscription.unsubscribe();
  });
  subscription.add(finish);
  return subscription;
}
