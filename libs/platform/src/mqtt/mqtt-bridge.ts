import type { Subscription } from 'rxjs';
import {
  ProjectionBatch,
  type EventStore,
  type Projection,
  type ProjectionContext,
  type ReadModelStore,
  type RecordedEvent,
  WakeLoop,
} from '#eventsourcing';
import type { Logger } from '../logging/logger.js';
import { checkpointLags, checkpointPosition } from '../read-models/checkpoint-lag.js';
import type { Metrics } from '../metrics/metrics.js';
import { jitteredBackoff } from '../resilience/backoff.js';
import type { MqttLink, MqttMessage } from './mqtt-link.js';

/** How long a stop waits for the page in flight to be acknowledged and checkpointed. */
const STOP_GRACE_MS = 2_000;

/**
 * What the bridge publishes for stored events: the messages of one event, in order. State
 * it keeps between events (a retained summary) lives in documents of its `collections`,
 * written through the context and committed with the bridge's checkpoint.
 */
export interface MqttFeed<E = unknown> {
  /** The checkpoint's name in the read-model store. */
  readonly name: string;
  /** Bumped when what is published changes shape: the next run starts again from position 0. */
  readonly version: number;
  readonly collections: readonly string[];
  read(event: RecordedEvent): E | null;
  messages(event: E, context: ProjectionContext): Promise<readonly MqttMessage[]>;
}

export interface MqttBridgeOptions {
  readonly store: EventStore;
  readonly readModels: ReadModelStore;
  readonly link: MqttLink;
  readonly feed: MqttFeed;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** Events read, published and checkpointed together (default 200). */
  readonly batchSize?: number;
  /** Delay before run n after a failure (0-based); default 200 ms doubling to 10 s, jittered. */
  readonly retryDelay?: (attempt: number) => number;
}

/**
 * Publishes stored events to an MQTT broker in global order, from a checkpoint kept in the
 * read-model store. A page is read after the checkpoint, published at QoS 1, and the
 * checkpoint (with the feed's documents) moves only once the broker acknowledged every
 * message of the page. So nothing is skipped; what may repeat is the page whose PUBACKs
 * arrived but whose checkpoint did not commit (a crash, the store away, the connection lost
 * after the broker took a message): at least once on the wire, and every message carries
 * the event's id for subscribers to drop what they already have.
 */
export class MqttBridge {
  private live: Subscription | null = null;
  private readonly loop: WakeLoop;

  constructor(private readonly options: MqttBridgeOptions) {
    const retryDelay = options.retryDelay ?? jitteredBackoff({ minMs: 200, maxMs: 10_000 });
    this.loop = new WakeLoop(() => this.catchUp(), {
      retryDelay: (failures) => retryDelay(failures - 1),
      onError: (error, failures) =>
        options.logger.warn({ err: error, failures }, 'MQTT bridge run failed; trying again'),
    });
  }

  get name(): string {
    return this.options.feed.name;
  }

  /** Whether this process runs the bridge now (distributed, only the lease holder does). */
  get active(): boolean {
    return this.loop.active;
  }

  get connected(): boolean {
    return this.options.link.connected;
  }

  start(): void {
    if (this.loop.active) return;
    this.options.link.start();
    this.live = this.options.store.subscribe().subscribe({ next: () => this.loop.wake(), error: () => undefined });
    this.loop.start();
  }

  /**
   * Stops publishing. A page in flight is given STOP_GRACE_MS to be acknowledged and
   * checkpointed, so a lease handed over on a clean stop repeats nothing; past that (the
   * broker away) it is abandoned, uncheckpointed, and whoever runs next publishes it again.
   */
  async stop(): Promise<void> {
    this.live?.unsubscribe();
    this.live = null;
    const settled = this.loop.stop();
    let grace: NodeJS.Timeout | undefined;
    if (this.connected)
      await Promise.race([settled, new Promise((resolve) => (grace = setTimeout(resolve, STOP_GRACE_MS)))]);
    clearTimeout(grace);
    await this.options.link.stop();
    await settled;
  }

  /** Broker up, or this process not running the bridge; rejects while it runs without a broker. */
  async ping(): Promise<void> {
    if (this.active && !this.connected) throw new Error('the MQTT broker is not connected');
  }

  /** Position of the last event published and checkpointed. */
  checkpoint(): Promise<number> {
    return checkpointPosition(this.options.readModels, this.name);
  }

  /** Events in the store not taken into account yet, as projection_lag_events{projection} reports them. */
  lags(): Promise<ReadonlyMap<string, number>> {
    return checkpointLags(this.options.store, this.options.readModels, this.name);
  }

  private async catchUp(): Promise<void> {
    const { feed, readModels, store, link } = this.options;
    let checkpoint = await readModels.checkpoint(feed.name);
    if (checkpoint && checkpoint.version !== feed.version) {
      await readModels.reset(feed.name, feed.collections);
      checkpoint = null;
    }
    let from = checkpoint?.position ?? 0;
    while (this.loop.active) {
      const events = await store.readAll({ after: from, maxCount: this.options.batchSize ?? 200 });
      const last = events.at(-1);
      if (!last) return;
      const { messages, writes } = await this.messagesOf(events);
      await (await link.session()).publishAll(messages);
      this.count(messages);
      const move = { projection: feed.name, version: feed.version, from, to: last.position, writes };
      // False only if another bridge moved the checkpoint (leases keep that from happening).
      const moved = await readModels.commit(move);
      from = moved ? last.position : await this.checkpoint();
    }
  }

  /**
   * The page's messages and document writes. A retained message superseded later in the same
   * page is left out: the broker would keep only the last anyway, and it still follows the
   * events it sums up.
   */
  private async messagesOf(events: readonly RecordedEvent[]) {
    const { feed, readModels } = this.options;
    const batch = new ProjectionBatch(readModels);
    const all: MqttMessage[] = [];
    const projection: Projection = {
      ...feed,
      handle: async (event, context) => void all.push(...(await feed.messages(event, context))),
    };
    for (const event of events) await batch.apply(projection, event);
    const lastRetained = new Map<string, number>();
    all.forEach((message, index) => message.retain && lastRetained.set(message.topic, index));
    const messages = all.filter((message, index) => !message.retain || lastRetained.get(message.topic) === index);
    return { messages, writes: batch.writes };
  }

  private count(messages: readonly MqttMessage[]): void {
    const published = this.options.metrics?.mqttPublished;
    if (!published) return;
    const retained = messages.filter((message) => message.retain).length;
    if (messages.length > retained) published.inc({ kind: 'event' }, messages.length - retained);
    if (retained > 0) published.inc({ kind: 'state' }, retained);
  }
}
