import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** STREAM_MAX_DURATION's default. */
const DEFAULT_STREAM_MAX_SECONDS = 3600;
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const STREAM_BUCKETS = [600, 1800, 3600, 7200, 21600, 43200, 86400, 259200, 604800];

/**
 * Buckets of http_request_duration_seconds: a stream is timed until it ends, so they reach
 * STREAM_MAX_DURATION (the longest a stream lasts), or a day when streams have no limit.
 */
export function requestDurationBuckets(streamMaxSeconds: number): number[] {
  const top = streamMaxSeconds > 0 ? streamMaxSeconds : 86400;
  return [...REQUEST_BUCKETS, ...STREAM_BUCKETS].filter((b) => b < top).concat(top);
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop) too. */
  readonly defaultMetrics?: boolean;
  /** STREAM_MAX_DURATION, the top of the request duration buckets; default its default. */
  readonly streamMaxSeconds?: number;
}

/**
 * One registry per process (tests create their own). Names and labels of the first four
 * are the seed document's contract.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequestDuration: Histogram<'method' | 'endpoint' | 'status'>;
  readonly websocketConnectionsActive = new Gauge({
    name: 'websocket_connections_active',
    help: 'Open WebSocket and Socket.IO connections.',
    labelNames: ['type'],
    registers: [this.registry],
  });
  readonly sseEventsSent = new Counter({
    name: 'sse_events_sent_total',
    help: 'SSE events written to clients.',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });
  readonly streamingErrors = new Counter({
    name: 'streaming_errors_total',
    help: 'Errors on streaming endpoints.',
    labelNames: ['type', 'endpoint'],
    registers: [this.registry],
  });
  readonly sseStreamsActive = new Gauge({
    name: 'sse_streams_active',
    help: 'Open SSE streams.',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });
  readonly commandDuration = new Histogram({
    name: 'command_processing_duration_seconds',
    help: 'Time to handle one command in a worker.',
    labelNames: ['command', 'outcome'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [this.registry],
  });
  readonly commandsDeadLettered = new Counter({
    name: 'commands_dead_lettered_total',
    help: 'Commands given up after their last allowed delivery or refused as permanent.',
    labelNames: ['command', 'reason'],
    registers: [this.registry],
  });
  readonly eventsAppended = new Counter({
    name: 'events_appended_total',
    help: 'Domain events appended to the event store.',
    labelNames: ['category', 'type'],
    registers: [this.registry],
  });
  private lagSource: (() => Promise<number>) | null = null;
  private readonly readModelLagSources = new Set<() => Promise<ReadonlyMap<string, number>>>();
  readonly projectionLag = new Gauge({
    name: 'projection_lag_events',
    help: 'Events in the store not yet taken into account: without labels, by this process live feed; with `projection`, by that persistent read model.',
    labelNames: ['projection'],
    registers: [this.registry],
    // Measured at scrape time: a timer would report a lag as old as its period.
    collect: async () => {
      // An unreachable store must not fail the whole scrape; /health/ready reports it.
      if (this.lagSource) await this.lagSource().then((lag) => this.projectionLag.set(lag), ignore);
      for (const source of this.readModelLagSources) {
        await source().then(
          (lags) => lags.forEach((lag, projection) => this.projectionLag.set({ projection }, lag)),
          ignore,
        );
      }
    },
  });
  readonly auditCheckpoints = new Counter({
    name: 'audit_checkpoints_total',
    help: 'Audit chain checkpoint attempts: written, unchanged (no new record), refused (the table no longer matches its last checkpoint).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly mqttPublished = new Counter({
    name: 'mqtt_published_total',
    help: 'Messages the MQTT bridge published and the broker acknowledged: kind event (a wire event) or state (a retained summary).',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly webhookAttempts = new Counter({
    name: 'webhook_attempts_total',
    help: 'Webhook POSTs made, by outcome: delivered (2xx), retry (refused, to be tried again) or failed (refused past the retry window).',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly webhookDeliveriesHeld = new Gauge({
    name: 'webhook_deliveries_held',
    help: 'Pending webhook deliveries the dispatcher holds in memory, every webhook together: at most WEBHOOK_PENDING_MAX each, the rest waiting in the delivery log.',
    registers: [this.registry],
  });
  readonly connectionsRefused = new Counter({
    name: 'http_connections_refused_total',
    help: 'Connections refused as they were accepted, their peer address holding MAX_CONNECTIONS_PER_IP already.',
    registers: [this.registry],
  });
  readonly requestBodyBytesInFlight = new Gauge({
    name: 'http_request_body_bytes_in_flight',
    help: 'Bytes the request bodies being read may hold (their Content-Length, else MAX_BODY_BYTES): at most MAX_BODY_BYTES_IN_FLIGHT, beyond which bodies are refused unread.',
    registers: [this.registry],
  });
  readonly consumerPending = new Gauge({
    name: 'jetstream_consumer_pending',
    help: 'Commands waiting in the JetStream consumer.',
    labelNames: ['consumer'],
    registers: [this.registry],
  });

  constructor(options: MetricsOptions = {}) {
    this.httpRequestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds (streams: until the response ends).',
      labelNames: ['method', 'endpoint', 'status'],
      buckets: requestDurationBuckets(options.streamMaxSeconds ?? DEFAULT_STREAM_MAX_SECONDS),
      registers: [this.registry],
    });
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Where projection_lag_events{projection} comes from (the read models' checkpoints); returns the unregister. */
  measureReadModelLag(source: () => Promise<ReadonlyMap<string, number>>): () => void {
    this.readModelLagSources.add(source);
    return () => this.readModelLagSources.delete(source);
  }

  /** Where projection_lag_events comes from (the api's live feed); returns the unregister. */
  measureProjectionLag(source: () => Promise<number>): () => void {
    this.lagSource = source;
    return () => {
      if (this.lagSource === source) this.lagSource = null;
    };
  }
}

const ignore = (): void => undefined;
