import type { Response } from 'express';
import type { Observable } from 'rxjs';
import { withStreamLimits, writeSse, type Runtime, type SseMessage, type StreamSlots } from '#platform';
import { ApiError } from '../http/api-error.js';
import { CHAT_FALLBACK_ENDPOINT } from '#chat';

/** A stream slot, or a 503 before anything is sent: the process serves MAX_CONCURRENT_STREAMS at most. */
export function acquireStreamSlot(runtime: Runtime, slots: StreamSlots, endpoint: string): () => void {
  if (!runtime.settings.ENABLE_SSE_STREAMING) throw new ApiError(503, 'SSE_DISABLED', 'SSE streaming is disabled on this server', undefined, 60);
  const release = slots.tryAcquire();
  if (release) return release;
  runtime.metrics.streamingErrors.inc({ type: 'sse', endpoint });
  throw new ApiError(503, 'TOO_MANY_STREAMS', `this server already serves ${slots.capacity} streams; retry shortly`, undefined, 5);
}

export interface ChatSseOptions {
  readonly endpoint: string;
  readonly release: () => void;
  /** The event sent when the source fails mid-stream. */
  readonly onError: (error: unknown) => SseMessage;
  /** Stream limits end idle answers; off for a model's stream, which has its own timeout. */
  readonly limited?: boolean;
}

/** Streams chat events as SSE, with the metrics, limits and slot release every stream has. */
export function writeChatSse(runtime: Runtime, res: Response, events$: Observable<SseMessage>, options: ChatSseOptions): void {
  const { settings, metrics } = runtime;
  const { endpoint } = options;
  metrics.sseStreamsActive.inc({ endpoint });
  const source = options.limited === false ? events$ : events$.pipe(withStreamLimits({ idleSeconds: settings.STREAM_IDLE_TIMEOUT, maxSeconds: settings.STREAM_MAX_DURATION }));
  writeSse(res, source, {
    retryMs: settings.SSE_RETRY_MS,
    keepaliveSeconds: settings.SSE_KEEPALIVE_INTERVAL,
    maxBufferedBytes: settings.SSE_BUFFER_SIZE,
    onSent: () => metrics.sseEventsSent.inc({ endpoint }),
    onOverflow: () => metrics.streamingErrors.inc({ type: 'sse', endpoint }),
    onClose: () => {
      options.release();
      metrics.sseStreamsActive.dec({ endpoint });
    },
    errorMessage: (error) => {
      metrics.streamingErrors.inc({ type: 'sse', endpoint });
      return options.onError(error);
    },
  });
}

/** The seed's in-stream error for a chat stream that broke: resume with Last-Event-ID or use the fallback. */
export function streamFailed(runtime: Runtime, context: Record<string, unknown>) {
  return (error: unknown): SseMessage => {
    runtime.logger.error({ err: error, ...context }, 'chat stream failed');
    return {
      data: {
        type: 'error',
        error_code: 'STREAM_FAILED',
        message: 'the stream was interrupted; reconnect to the session stream with Last-Event-ID to resume',
        fallback_endpoint: CHAT_FALLBACK_ENDPOINT,
        retry_after: 5,
      },
    };
  };
}
