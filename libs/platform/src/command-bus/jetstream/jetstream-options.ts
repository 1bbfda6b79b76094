import type { Logger } from '../../logging/logger.js';
import { silentLogger } from '../../logging/logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import { assertSafeToken } from '../command-bus.errors.js';
import {
  DEFAULT_DUPLICATE_WINDOW_MS,
  DEFAULT_MAX_DELIVER,
  type RetryDelay,
  assertMaxDeliver,
  defaultRetryDelayMs,
} from '../delivery-policy.js';

export interface JetStreamCommandBusOptions {
  /** One URL or several separated by commas, e.g. `nats://nats:4222`. */
  readonly servers: string;
  readonly streamName?: string;
  /** One subject token; commands are published on `<prefix>.<aggregate>.<id>.<type>`. */
  readonly subjectPrefix?: string;
  /** The durable consumer shared by every worker process; each lane's is `<consumerName>_<lane>`. */
  readonly consumerName?: string;
  readonly ackWaitMs?: number;
  readonly maxDeliver?: number;
  readonly duplicateWindowMs?: number;
  readonly maxAgeMs?: number;
  readonly publishTimeoutMs?: number;
  /** Delay before a failed command is offered again, by the delivery that failed (1, 2…). */
  readonly retryDelayMs?: RetryDelay;
  /** How often jetstream_consumer_pending is refreshed while consuming. */
  readonly pendingRefreshMs?: number;
  readonly metrics?: Metrics;
  readonly logger?: Logger;
}

export interface JetStreamSettings {
  readonly servers: string[];
  readonly streamName: string;
  readonly subjectPrefix: string;
  readonly consumerName: string;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly duplicateWindowMs: number;
  readonly maxAgeMs: number;
  readonly publishTimeoutMs: number;
  readonly retryDelayMs: RetryDelay;
  readonly pendingRefreshMs: number;
  readonly metrics?: Metrics;
  readonly logger: Logger;
}

const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;

export function resolveJetStreamOptions(options: JetStreamCommandBusOptions): JetStreamSettings {
  const settings: JetStreamSettings = {
    servers: options.servers
      .split(',')
      .map((server) => server.trim())
      .filter(Boolean),
    streamName: options.streamName ?? 'COMMANDS',
    subjectPrefix: options.subjectPrefix ?? 'commands',
    consumerName: options.consumerName ?? 'workers',
    ackWaitMs: options.ackWaitMs ?? 10_000,
    maxDeliver: options.maxDeliver ?? DEFAULT_MAX_DELIVER,
    duplicateWindowMs: options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS,
    maxAgeMs: options.maxAgeMs ?? SEVEN_DAYS_MS,
    publishTimeoutMs: options.publishTimeoutMs ?? 3000,
    retryDelayMs: options.retryDelayMs ?? defaultRetryDelayMs,
    pendingRefreshMs: options.pendingRefreshMs ?? 5000,
    metrics: options.metrics,
    logger: (options.logger ?? silentLogger).child({ bus: 'jetstream' }),
  };
  assertSettings(settings);
  return settings;
}

function assertSettings(settings: JetStreamSettings): void {
  if (settings.servers.length === 0) throw new TypeError('servers must name at least one NATS URL');
  assertSafeToken('streamName', settings.streamName);
  assertSafeToken('subjectPrefix', settings.subjectPrefix);
  assertSafeToken('consumerName', settings.consumerName);
  assertMaxDeliver(settings.maxDeliver);
  for (const [name, value] of Object.entries({
    ackWaitMs: settings.ackWaitMs,
    duplicateWindowMs: settings.duplicateWindowMs,
    maxAgeMs: settings.maxAgeMs,
    publishTimeoutMs: settings.publishTimeoutMs,
    pendingRefreshMs: settings.pendingRefreshMs,
  })) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be > 0, got ${value}`);
  }
}
