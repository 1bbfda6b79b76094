import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Subscription } from 'rxjs';
import type { Logger } from '../logging/logger.js';
import { jitteredBackoff } from '../resilience/backoff.js';
import type { RelaySource } from './relay-source.js';
import { ensureStream, isWrongLastSequence, readTail, type StreamTail } from './relay-stream.js';

/** Publishes in flight at once; the acknowledgements come back in order. */
const WINDOW = 256;
/** After a failed drain (source or NATS unreachable): the next wake-up may be far off, so retry on a timer too. */
const retryDelay = jitteredBackoff({ minMs: 200, maxMs: 10_000 });

export interface JetStreamRelayOptions<Item> {
  readonly servers: string;
  readonly source: RelaySource<Item>;
  readonly logger: Logger;
  /** JetStream stream, `EVENTS` in production; tests use unique names. */
  readonly streamName: string;
  /** The stream captures `<prefix>.>`; the source names each item's subject under it. */
  readonly subjectPrefix: string;
  readonly batchSize?: number;
}

/**
 * Publishes every item of a source (stored events, audit records) to JetStream, in position
 * order, each exactly once.
 *
 * The checkpoint is the stream itself: its last message carries the position of the last
 * item published, so no second store can disagree with what was actually published.
 * Every publish expects the stream's last sequence to be the one this relay last saw, so
 * any number of relays, however stale, append each item once and in order: a relay that
 * fell behind is refused, re-reads the tail and carries on from there. Nats-Msg-Id stays as
 * a cheap first line (a duplicate is acked without a write), but correctness does not
 * depend on the duplicate window.
 */
export class JetStreamRelay<Item> {
  private running: Promise<void> = Promise.resolve();
  private wake: Subscription | null = null;
  private tail: StreamTail = { sequence: 0, position: 0 };
  private pending = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(
    private readonly options: JetStreamRelayOptions<Item>,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  static async start<Item>(options: JetStreamRelayOptions<Item>): Promise<JetStreamRelay<Item>> {
    const nc = await connect({ servers: options.servers });
    try {
      const jsm = await jetstreamManager(nc);
      const relay = new JetStreamRelay(options, nc, jetstream(nc), jsm);
      await ensureStream(jsm, options.streamName, options.subjectPrefix);
      relay.tail = await readTail(jsm, options.streamName);
      relay.wake = options.source.wake$.subscribe({ next: () => relay.schedule() });
      relay.schedule();
      return relay;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  /** Position of the last item in the stream as this relay knows it; resolves once everything read so far is out. */
  async flushed(): Promise<number> {
    await this.running;
    return this.tail.position;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.wake?.unsubscribe();
    await this.running.catch(() => undefined);
    await this.nc.close();
  }

  /** Coalesces wake-ups: one drain runs at a time, and one more is queued if items came meanwhile. */
  private schedule(): void {
    if (this.pending || this.stopped) return;
    this.pending = true;
    this.running = this.running
      .then(() => {
        this.pending = false;
        return this.drain();
      })
      .then(
        () => {
          this.failures = 0;
        },
        (error: unknown) => {
          this.failures += 1;
          this.options.logger.warn(
            { err: error, stream: this.options.streamName, failures: this.failures },
            'relay failed; retrying',
          );
          this.retryLater();
        },
      );
  }

  /** The drain starts again from the stream's tail, so a retry neither skips nor repeats an item. */
  private retryLater(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        this.schedule();
      },
      retryDelay(this.failures - 1),
    );
    this.retryTimer.unref();
  }

  private async drain(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    for (;;) {
      const items = await this.options.source.read(this.tail.position, batchSize);
      if (!(await this.publishInOrder(items))) {
        this.tail = await readTail(this.jsm, this.options.streamName);
        this.options.logger.debug(
          { position: this.tail.position, sequence: this.tail.sequence },
          'another relay moved the stream on; resuming from its tail',
        );
        continue;
      }
      if (items.length < batchSize) return;
    }
  }

  /**
   * Publishes in windows of WINDOW messages in flight, item k of a window expecting the
   * stream to end at the window's base + k. The server handles one connection's messages in
   * order, so a message lands only directly after its predecessor: the stream stays in
   * position order without waiting for each acknowledgement. False as soon as the stream
   * is not where this relay thought (another relay, or a duplicate that did not advance
   * it): the caller re-reads the tail, and whatever of the window did land is skipped then.
   */
  private async publishInOrder(items: readonly Item[]): Promise<boolean> {
    const { source, subjectPrefix } = this.options;
    for (let start = 0; start < items.length; start += WINDOW) {
      const window = items
        .slice(start, start + WINDOW)
        .map((item) => ({ subject: `${subjectPrefix}.${source.subject(item)}`, message: source.message(item) }));
      const base = this.tail.sequence;
      const acks = await Promise.allSettled(
        window.map(({ subject, message }, k) =>
          this.js.publish(subject, JSON.stringify(message), { msgID: message.id, expect: { lastSequence: base + k } }),
        ),
      );
      for (const [k, ack] of acks.entries()) {
        if (ack.status === 'rejected') {
          if (isWrongLastSequence(ack.reason)) return false;
          throw ack.reason;
        }
        // A duplicate: the stream did not move, so this relay is behind it; re-read the tail.
        if (ack.value.duplicate) return false;
        this.tail = { sequence: ack.value.seq, position: window[k]?.message.position ?? this.tail.position };
      }
    }
    return true;
  }
}
