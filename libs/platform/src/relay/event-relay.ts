import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { feedSubject, toCloudEvent, type CloudEvent } from '#audit';
import type { Subscription } from 'rxjs';
import type { EventStore } from '../event-store/event-store.port.js';
import type { Logger } from '../logging/logger.js';

export interface EventRelayOptions {
  readonly servers: string;
  readonly store: EventStore;
  readonly logger: Logger;
  /** JetStream stream, `EVENTS` in production; tests use unique names. */
  readonly streamName: string;
  /** Subjects are `<prefix>.<category>.<EventType>`; the stream captures `<prefix>.>`. */
  readonly subjectPrefix: string;
  readonly batchSize?: number;
}

/**
 * Publishes every stored event to JetStream as CloudEvents JSON, in position order.
 *
 * The checkpoint is the stream itself: its last message carries the position of the last
 * event published, so no second store can disagree with what was actually published. A
 * crash between publish and the next read republishes at most a batch, and Nats-Msg-Id =
 * event id makes JetStream drop those within its duplicate window.
 */
export class EventRelay {
  private running: Promise<void> = Promise.resolve();
  private wake: Subscription | null = null;
  private checkpoint = 0;
  private pending = false;

  private constructor(
    private readonly options: EventRelayOptions,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  static async start(options: EventRelayOptions): Promise<EventRelay> {
    const nc = await connect({ servers: options.servers });
    try {
      const jsm = await jetstreamManager(nc);
      const relay = new EventRelay(options, nc, jetstream(nc), jsm);
      await relay.ensureStream();
      relay.checkpoint = await relay.lastPublishedPosition();
      relay.wake = options.store.subscribe().subscribe({ next: () => relay.schedule() });
      relay.schedule();
      return relay;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /** Position of the last event published; resolves once everything read so far is out. */
  async flushed(): Promise<number> {
    await this.running;
    return this.checkpoint;
  }

  async stop(): Promise<void> {
    this.wake?.unsubscribe();
    await this.running.catch(() => undefined);
    await this.nc.close();
  }

  private async ensureStream(): Promise<void> {
    const { streamName, subjectPrefix } = this.options;
    try {
      await this.jsm.streams.info(streamName);
    } catch {
      await this.jsm.streams.add({ name: streamName, subjects: [`${subjectPrefix}.>`], duplicate_window: 2 * 60 * 1_000_000_000 });
    }
  }

  private async lastPublishedPosition(): Promise<number> {
    const info = await this.jsm.streams.info(this.options.streamName);
    if (info.state.last_seq === 0 || info.state.messages === 0) return 0;
    const last = await this.jsm.streams.getMessage(this.options.streamName, { seq: info.state.last_seq });
    return last ? last.json<CloudEvent>().position : 0;
  }

  /** Coalesces wake-ups: one drain runs at a time, and one more is queued if events came meanwhile. */
  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    this.running = this.running
      .then(() => {
        this.pending = false;
        return this.drain();
      })
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'event relay failed; retrying on the next event'));
  }

  private async drain(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    for (;;) {
      const events = await this.options.store.readAll({ after: this.checkpoint, maxCount: batchSize });
      for (const event of events) {
        const cloudEvent = toCloudEvent(event);
        await this.js.publish(feedSubject(this.options.subjectPrefix, event), JSON.stringify(cloudEvent), { msgID: cloudEvent.id });
        this.checkpoint = event.position;
      }
      if (events.length < batchSize) return;
    }
  }
}
