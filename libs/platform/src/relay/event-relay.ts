import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { feedSubject, toCloudEvent } from '#audit';
import type { Subscription } from 'rxjs';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port.js';
import type { Logger } from '../logging/logger.js';
import { ensureStream, isWrongLastSequence, readTail, type StreamTail } from './relay-stream.js';

/** Publishes in flight at once; the acknowledgements come back in order. */
const WINDOW = 256;

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

  /**
   * Publishes in windows of WINDOW messages in flight, event k of a window expecting the
   * stream to end at the window's base + k. The server handles one connection's messages in
   * order, so a message lands only directly after its predecessor: the stream stays in
   * position order without waiting for each acknowledgement. False as soon as the stream
   * is not where this relay thought (another relay, or a duplicate that did not advance
   * it): the caller re-reads the tail, and whatever of the window did land is skipped then.
   */
  private async publishInOrder(events: readonly RecordedEvent[]): Promise<boolean> {
    for (let start = 0; start < events.length; start += WINDOW) {
      const window = events.slice(start, start + WINDOW);
      const base = this.tail.sequence;
      const acks = await Promise.allSettled(
        window.map((event, k) => {
          const cloudEvent = toCloudEvent(event);
          return this.js.publish(feedSubject(this.options.subjectPrefix, event), JSON.stringify(cloudEvent), { msgID: cloudEvent.id, expect: { lastSequence: base + k } });
        }),
      );
      for (const [k, ack] of acks.entries()) {
        if (ack.status === 'rejected') {
          if (isWrongLastSequence(ack.reason)) return false;
          throw ack.reason;
        }
        // A duplicate ack names the sequence the event already has; the next expectation then fails and the tail is re-read.
        if (ack.value.duplicate) return false;
        this.tail = { sequence: ack.value.seq, position: window[k]?.position ?? this.tail.position };
      }
    }
    return true;
  }
}
