import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { feedSubject, toCloudEvent } from '#audit';
import type { Subscription } from 'rxjs';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port.js';
import type { Logger } from '../logging/logger.js';
import { ensureStream, isWrongLastSequence, readTail, type StreamTail } from './relay-stream.js';

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
 * event published, so no second store can disagree with what was actually published.
 * Every publish expects the stream's last sequence to be the one this relay last saw, so
 * any number of relays, however stale, append each event once and in order: a relay that
 * fell behind is refused, re-reads the tail and carries on from there. Nats-Msg-Id = event
 * id stays as a cheap first line (a duplicate is acked without a write), but correctness
 * no longer depends on the duplicate window.
 */
export class EventRelay {
  private running: Promise<void> = Promise.resolve();
  private wake: Subscription | null = null;
  private tail: StreamTail = { sequence: 0, position: 0 };
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
      await ensureStream(jsm, options.streamName, options.subjectPrefix);
      relay.tail = await readTail(jsm, options.streamName);
      relay.wake = options.store.subscribe().subscribe({ next: () => relay.schedule() });
      relay.schedule();
      return relay;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /** Position of the last event in the stream as this relay knows it; resolves once everything read so far is out. */
  async flushed(): Promise<number> {
    await this.running;
    return this.tail.position;
  }

  async stop(): Promise<void> {
    this.wake?.unsubscribe();
    await this.running.catch(() => undefined);
    await this.nc.close();
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
      const events = await this.options.store.readAll({ after: this.tail.position, maxCount: batchSize });
      if (!(await this.publishInOrder(events))) {
        this.tail = await readTail(this.jsm, this.options.streamName);
        this.options.logger.debug({ position: this.tail.position, sequence: this.tail.sequence }, 'another relay moved the stream on; resuming from its tail');
        continue;
      }
      if (events.length < batchSize) return;
    }
  }

  /** False as soon as the stream is not where this relay thought: the rest of the batch may be out already. */
  private async publishInOrder(events: readonly RecordedEvent[]): Promise<boolean> {
    for (const event of events) {
      const cloudEvent = toCloudEvent(event);
      try {
        const ack = await this.js.publish(feedSubject(this.options.subjectPrefix, event), JSON.stringify(cloudEvent), {
          msgID: cloudEvent.id,
          expect: { lastSequence: this.tail.sequence },
        });
        // A duplicate ack names the sequence the event already has, so the tail stays consistent either way.
        this.tail = { sequence: ack.seq, position: event.position };
      } catch (error) {
        if (isWrongLastSequence(error)) return false;
        throw error;
      }
    }
    return true;
  }
}
