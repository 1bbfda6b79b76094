import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../logging/logger.js';
import { jitteredBackoff } from '../resilience/backoff.js';

/** One message to the broker, sent at QoS 1. */
export interface MqttMessage {
  readonly topic: string;
  /** JSON text. */
  readonly payload: string;
  readonly retain: boolean;
  /** MQTT 5 user properties. */
  readonly userProperties: Readonly<Record<string, string>>;
}

/** A connection that is up: its publishes fail together as soon as it drops. */
export interface MqttSession {
  /** Sends in order at QoS 1; resolves once the broker acknowledged every one (PUBACK). */
  publishAll(messages: readonly MqttMessage[]): Promise<void>;
}

export class MqttConnectionLostError extends Error {
  override readonly name = 'MqttConnectionLostError';
  constructor() {
    super('the MQTT connection dropped before every publish was acknowledged');
  }
}

export interface MqttLinkOptions {
  readonly url: string;
  readonly clientId: string;
  readonly logger: Logger;
  /** Delay before reconnect attempt n (0-based); default 200 ms doubling to 10 s, jittered. */
  readonly backoff?: (attempt: number) => number;
}

/** Publishes in flight at once: within any broker's Receive Maximum unless it announces less. */
const WINDOW = 100;

interface Connected {
  readonly session: MqttSession;
  readonly client: MqttClient;
}

/**
 * One MQTT 5 connection kept up with jittered exponential backoff. mqtt.js's own reconnect
 * (a fixed period, in-flight messages kept and resent) is off: each connection is a fresh
 * client, so publishes in flight when it drops fail at once, and the sender starts over from
 * what the broker acknowledged.
 */
export class MqttLink {
  private current: Connected | null = null;
  private client: MqttClient | null = null;
  private waiters: { resolve: (session: MqttSession) => void; reject: (error: Error) => void }[] = [];
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly backoff: (attempt: number) => number;

  constructor(private readonly options: MqttLinkOptions) {
    this.backoff = options.backoff ?? jitteredBackoff({ minMs: 200, maxMs: 10_000 });
  }

  get connected(): boolean {
    return this.current !== null;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  /** A connected session, waiting as long as the broker is away; rejects once the link stops. */
  session(): Promise<MqttSession> {
    if (this.current) return Promise.resolve(this.current.session);
    if (this.stopped) return Promise.reject(new Error('the MQTT link is stopped'));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const waiters = this.waiters.splice(0);
    for (const waiter of waiters) waiter.reject(new Error('the MQTT link is stopped'));
    const client = this.client;
    this.client = null;
    this.current = null;
    await client?.endAsync(true).catch(() => undefined);
  }

  private open(): void {
    const client = mqtt.connect(this.options.url, {
      protocolVersion: 5,
      clientId: this.options.clientId,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 30,
    });
    this.client = client;
    let lose: (error: Error) => void = () => undefined;
    const lost = new Promise<never>((_, reject) => (lose = reject));
    lost.catch(() => undefined);
    client.on('connect', (connack) => {
      if (this.client !== client) return;
      this.failures = 0;
      const window = Math.min(WINDOW, connack.properties?.receiveMaximum ?? WINDOW);
      const session: MqttSession = { publishAll: (messages) => publishAll(client, messages, window, lost) };
      this.current = { session, client };
      this.options.logger.info({ url: this.options.url }, 'MQTT broker connected');
      for (const waiter of this.waiters.splice(0)) waiter.resolve(session);
    });
    // Without a listener mqtt.js would throw; a failed connect also closes, which retries.
    client.on('error', (error) => this.options.logger.debug({ err: error }, 'MQTT connection error'));
    client.on('close', () => {
      if (this.client !== client) return;
      const wasUp = this.current !== null;
      this.current = null;
      this.client = null;
      lose(new MqttConnectionLostError());
      client.end(true);
      if (wasUp) this.options.logger.warn({ url: this.options.url }, 'MQTT broker connection lost; reconnecting');
      this.reopenLater();
    });
  }

  private reopenLater(): void {
    if (this.stopped) return;
    const delay = this.backoff(this.failures);
    this.failures += 1;
    this.timer = setTimeout(() => this.open(), delay);
    this.timer.unref();
  }
}

async function publishAll(
  client: MqttClient,
  messages: readonly MqttMessage[],
  window: number,
  lost: Promise<never>,
): Promise<void> {
  for (let start = 0; start < messages.length; start += window) {
    const acks = messages.slice(start, start + window).map((message) =>
      client.publishAsync(message.topic, message.payload, {
        qos: 1,
        retain: message.retain,
        properties: { userProperties: { ...message.userProperties }, contentType: 'application/json' },
      }),
    );
    await Promise.race([Promise.all(acks), lost]);
  }
}
