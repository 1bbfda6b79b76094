import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { EMPTY, type Observable } from 'rxjs';
import {
  BatchedCounter,
  SseSink,
  jitteredRetryMs,
  responsePacing,
  withStreamLimits,
  writeSse,
  type Logger,
  type Metrics,
  type SseFrame,
  type SseMessage,
  type SseSinkPolicy,
  type StreamingSettings,
  type StreamLimits,
  type TimerWheel,
} from '#platform';
import type { Pacing, StreamHubs } from '#eventsourcing';
import { principalOf } from '../auth/principal-of.js';
import { StreamGate } from '../limits/stream-gate.js';
import { sinkFor, type HubWatch } from '../streaming/hub-watch.js';
import { LOGGER, METRICS, SETTINGS, TIMER_WHEEL } from '../tokens.js';
import { ApiError } from './api-error.js';

export interface SseWriteOptions {
  /** The `endpoint` label of the stream metrics. */
  readonly endpoint: string;
  /** The slot from admit(), released when the response ends. */
  readonly release: () => void;
  /** Idle and total-duration limits; default the settings', false for streams that time themselves (a model's answer). */
  readonly limits?: StreamLimits | false;
  /** Where a client goes when the stream breaks; the seed's in-stream error names it. */
  readonly fallbackEndpoint: string;
  /** The in-stream error event, when it is not the standard STREAM_FAILED one. */
  readonly failure?: (error: unknown) => SseMessage;
  readonly logContext?: Record<string, unknown>;
}

/**
 * The one way an SSE stream is opened: enabled check, admission, pacing, limits, metrics,
 * the seed's error event. Endpoints decide what to stream; this decides how.
 */
@Injectable()
export class SseEndpoints {
  private readonly sent = new Map<string, BatchedCounter<'endpoint'>>();
  private readonly policies = new Map<string, SseSinkPolicy<SseWriteOptions>>();

  constructor(
    @Inject(SETTINGS.streaming) private readonly streaming: StreamingSettings,
    @Inject(METRICS) private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(TIMER_WHEEL) private readonly wheel: TimerWheel,
    private readonly gate: StreamGate,
  ) {}

  assertEnabled(): void {
    if (!this.streaming.sseEnabled)
      throw new ApiError(503, 'SSE_DISABLED', 'SSE streaming is disabled on this server', undefined, 60);
  }

  /** The response's pace, for sources that read from the store (SSE_BUFFER_SIZE bytes in flight at most). */
  pacing(res: Response): Pacing {
    return responsePacing(res, this.streaming.sseBufferSize);
  }

  /** A stream slot for this caller, or the ApiError to answer before anything is sent. */
  admit(req: Request, endpoint: string): () => void {
    this.assertEnabled();
    return this.gate.admit(req, principalOf(req), 'sse', endpoint);
  }

  /** Streams a hub's frames after `watch.after`: one write of shared bytes per tick, timers from the process's wheel. */
  follow<Frame extends SseFrame>(
    res: Response,
    hubs: StreamHubs<Frame>,
    watch: HubWatch<Frame>,
    options: SseWriteOptions,
  ): void {
    const sink = this.open(res, options);
    sink.attach(hubs.subscribe(watch.streamId, watch.after, sinkFor<Frame>(watch, sink), watch.control));
  }

  /**
   * Opens the response as an SSE stream whose frames the caller writes (several hubs'
   * frames on one connection): keepalives, limits, metrics and the release of its slot are
   * the sink's, and closing the response ends what the caller attaches.
   */
  open(res: Response, options: SseWriteOptions): SseSink<SseWriteOptions> {
    this.metrics.sseStreamsActive.inc({ endpoint: options.endpoint });
    return new SseSink(res, this.policyOf(options), options, jitteredRetryMs(this.streaming.retryMs));
  }

  /**
   * Streams `source$`. A resumed stream whose terminal event the client already has comes as
   * rxjs' EMPTY (nothing will ever follow): that is answered 204 No Content, the HTML
   * standard's way to stop an EventSource from reconnecting.
   */
  write(res: Response, source$: Observable<SseMessage>, options: SseWriteOptions): void {
    if (source$ === EMPTY) {
      options.release();
      res.status(204).end();
      return;
    }
    const { streaming, metrics } = this;
    const { endpoint } = options;
    const limits = this.limitsOf(options);
    metrics.sseStreamsActive.inc({ endpoint });
    writeSse(res, limits === false ? source$ : source$.pipe(withStreamLimits(limits)), {
      retryMs: jitteredRetryMs(streaming.retryMs),
      keepaliveSeconds: streaming.keepaliveSeconds,
      maxBufferedBytes: streaming.sseBufferSize,
      onSent: () => metrics.sseEventsSent.inc({ endpoint }),
      onOverflow: () => metrics.streamingErrors.inc({ type: 'sse', endpoint }),
      onClose: () => {
        options.release();
        metrics.sseStreamsActive.dec({ endpoint });
      },
      errorMessage: (error) => this.failureEvent(error, options),
    });
  }

  /** The sinks' shared part for the options' endpoint and limits, made once: a stream keeps only its options. */
  private policyOf(options: SseWriteOptions): SseSinkPolicy<SseWriteOptions> {
    const limits = this.limitsOf(options);
    const key = `${options.endpoint} ${JSON.stringify(limits)}`;
    let policy = this.policies.get(key);
    if (!policy) {
      const { metrics } = this;
      policy = {
        keepaliveSeconds: this.streaming.keepaliveSeconds,
        bufferSize: this.streaming.sseBufferSize,
        limits,
        wheel: this.wheel,
        sent: this.sentCounter(options.endpoint),
        errorMessage: (error, stream) => this.failureEvent(error, stream),
        onClose: (stream) => {
          stream.release();
          metrics.sseStreamsActive.dec({ endpoint: stream.endpoint });
        },
      };
      this.policies.set(key, policy);
    }
    return policy;
  }

  private limitsOf(options: SseWriteOptions): StreamLimits | false {
    const { idleSeconds, maxSeconds } = this.streaming;
    return options.limits ?? { idleSeconds, maxSeconds };
  }

  private failureEvent(error: unknown, options: SseWriteOptions): SseMessage {
    const { metrics, logger } = this;
    metrics.streamingErrors.inc({ type: 'sse', endpoint: options.endpoint });
    if (options.failure) return options.failure(error);
    logger.error({ err: error, endpoint: options.endpoint, ...options.logContext }, 'stream failed');
    return streamFailedEvent(options.fallbackEndpoint);
  }

  /** Frames sent, counted per endpoint and flushed to the metric once a tick and as each stream closes. */
  private sentCounter(endpoint: string): BatchedCounter<'endpoint'> {
    let counter = this.sent.get(endpoint);
    if (!counter) {
      const created = new BatchedCounter(this.metrics.sseEventsSent, { endpoint });
      this.wheel.onTick(() => created.flush());
      this.sent.set(endpoint, created);
      counter = created;
    }
    return counter;
  }
}

/** The seed's in-stream error for a stream that broke: resume with Last-Event-ID, or use the fallback. */
export function streamFailedEvent(fallbackEndpoint: string): SseMessage {
  return {
    data: {
      type: 'error',
      error_code: 'STREAM_FAILED',
      message: 'the stream was interrupted; reconnect with Last-Event-ID to resume',
      fallback_endpoint: fallbackEndpoint,
      retry_after: 5,
    },
  };
}
