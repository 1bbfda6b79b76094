import {
  BACKWARDS,
  END,
  KurrentDBClient,
  START,
  StreamNotFoundError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamResolvedEvent,
  type JSONType,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import type { Observable } from 'rxjs';
import { silentLogger, type Logger } from '../../logging/logger.js';
import {
  assertExpectedRevision,
  CommittedFeed,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from '#eventsourcing';
import { KurrentDbFeedSubscription } from './kurrentdb-feed-subscription.js';
import { positionOf, toPosition, toRecorded, toStoreError, toStreamState } from './kurrentdb-mapping.js';

export interface KurrentDbEventStoreOptions {
  /** e.g. `kurrentdb://localhost:2113?tls=false`. */
  readonly connectionString: string;
  readonly logger?: Logger;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class KurrentDbEventStore implements EventStore {
  readonly kind = 'kurrentdb';
  private readonly feed = new CommittedFeed();
  private readonly subscription: KurrentDbFeedSubscription;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly client: KurrentDBClient,
    logger: Logger,
  ) {
    this.subscription = new KurrentDbFeedSubscription(client, this.feed, logger);
  }

  /** Connects, then starts the live feed from the current end of $all. */
  static async open(options: KurrentDbEventStoreOptions): Promise<KurrentDbEventStore> {
    const logger = (options.logger ?? silentLogger).child({ adapter: 'kurrentdb' });
    const store = new KurrentDbEventStore(KurrentDBClient.connectionString(options.connectionString), logger);
    try {
      store.feed.skipTo(await store.headPosition());
    } catch (error) {
      await store.client.dispose();
      throw error;
    }
    store.subscription.start();
    return store;
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    if (events.length === 0) return this.checkRevision(streamId, expected);
    const streamState = toStreamState(streamId, expected);
    // Kurrent deduplicates by event id: reusing ours makes a retried append idempotent.
    const data = events.map((event) =>
      jsonEvent({
        ...(UUID.test(event.metadata.eventId) ? { id: event.metadata.eventId } : {}),
        type: event.type,
        data: (event.data ?? null) as JSONType,
        metadata: event.metadata,
      }),
    );
    try {
      const result = await this.client.appendToStream(streamId, data, { streamState });
      const lastPosition = Number(result.position?.commit ?? 0n);
      this.feed.noteCommitted(lastPosition);
      return { nextRevision: Number(result.nextExpectedRevision) + 1, lastPosition };
    } catch (error) {
      throw toStoreError(error, streamId, expected);
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { after = 0, maxCount } = options;
    if (maxCount === 0) return [];
    // Our revision r is Kurrent's r - 1, so "after r" starts at Kurrent revision r.
    const events = this.client.readStream(streamId, { fromRevision: BigInt(after), ...limit(maxCount) });
    return this.collect(events, (event) => event.revision > after, maxCount);
  }

  async readLastEvent(streamId: string): Promise<RecordedEvent | null> {
    const [last] = await this.collect(
      this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
    );
    return last ?? null;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { after = 0, maxCount } = options;
    if (maxCount === 0) return [];
    // Reading $all from a position includes the event at that position: ask for one more.
    const events = this.client.readAll({
      fromPosition: after === 0 ? START : toPosition(after),
      filter: excludeSystemEvents(),
      ...limit(maxCount === undefined || after === 0 ? maxCount : maxCount + 1),
    });
    return this.collect(events, (event) => event.position > after, maxCount);
  }

  async headPosition(): Promise<number> {
    try {
      const last = this.client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount: 1,
        filter: excludeSystemEvents(),
      });
      for await (const resolved of last) return positionOf(resolved);
      return 0;
    } catch (error) {
      throw toStoreError(error);
    }
  }

  subscribe(): Observable<RecordedEvent> {
    return this.feed.observe();
  }

  async ping(): Promise<void> {
    await this.headPosition();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.subscription.stop();
    this.feed.complete();
    await this.client.dispose();
  }

  /** An empty append writes nothing but still answers whether the expectation holds. */
  private async checkRevision(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.collect(
      this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
    );
    assertExpectedRevision(streamId, expected, last?.revision ?? 0);
    return { nextRevision: last?.revision ?? 0, lastPosition: last?.position ?? 0 };
  }

  private async collect(
    events: AsyncIterable<ResolvedEvent | AllStreamResolvedEvent>,
    keep: (event: RecordedEvent) => boolean = () => true,
    maxCount = Number.POSITIVE_INFINITY,
  ): Promise<RecordedEvent[]> {
    const recorded: RecordedEvent[] = [];
    try {
      for await (const resolved of events) {
        const event = toRecorded(resolved);
        if (event && keep(event)) recorded.push(event);
        if (recorded.length >= maxCount) break;
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw toStoreError(error);
    }
    return recorded;
  }
}

function limit(maxCount: number | undefined): { maxCount?: number } {
  return maxCount === undefined ? {} : { maxCount };
}
