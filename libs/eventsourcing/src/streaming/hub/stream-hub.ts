import { map, share, type Subscription } from 'rxjs';
import type { RecordedEvent } from '../../event-store/event-store.port.js';
import type { FollowSource } from '../catch-up.js';
import type { HubControl, HubEntry, HubSink, HubSubscription } from './hub-sink.js';
import { PageReads } from './page-reads.js';

/** How a hub turns stored events into frames: once per event, whoever subscribes. */
export interface HubProjection<Frame> {
  frame(event: RecordedEvent): Frame | null;
  /** The sequence's last event (an investigation's terminal event): subscribers end after it. */
  isEnd?(event: RecordedEvent): boolean;
}

export interface StreamHubOptions {
  /** Events read from the store per query while catching up (default 500). */
  readonly pageSize?: number;
  /** Frames written per write while catching up, between checks of the subscriber's buffer (default 64). */
  readonly sliceSize?: number;
}

/** A subscriber, and its own subscription: one object per subscriber, no closure beside it. */
class Subscriber<Frame> implements HubSubscription {
  done = false;
  constructor(
    private readonly hub: StreamHub<Frame>,
    readonly sink: HubSink<Frame>,
    readonly control: HubControl<Frame> | undefined,
    public last: number,
  ) {}

  unsubscribe(): void {
    this.hub.leave(this);
  }
}

type Outcome = 'more' | 'full' | 'gap' | 'done';

/**
 * One stream's fan-out in this process: one live subscription, each event projected once,
 * the same frames handed to every caught-up subscriber, the events of one tick in one write.
 *
 * A subscriber catches up from the store on its own (paged, paced by its sink's drain) and
 * joins at the hub's head once a read came back short and the hub has seen nothing beyond
 * it; live entries at or below its key are skipped, so the switch has no gap and no
 * duplicate. One whose sink passes its buffer limit leaves the live set, waits for drain
 * and catches up from the store again: the store is the buffer. Catch-ups of one stream
 * share their page reads.
 */
export class StreamHub<Frame> {
  private readonly live = new Set<Subscriber<Frame>>();
  private readonly reading = new Set<Subscriber<Frame>>();
  private readonly pages: PageReads<Frame>;
  private readonly subscription: Subscription;
  private readonly contiguous: boolean;
  private readonly sliceSize: number;
  private pending: Array<HubEntry<Frame>> = [];
  private flushQueued = false;
  private head = 0;
  private endKey: number | null = null;
  private liveEnded = false;
  private disposed = false;

  /** Its live feed ended or it lost its last subscriber: a new subscriber needs a new hub. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  constructor(
    private readonly source: FollowSource,
    private readonly projection: HubProjection<Frame>,
    private readonly onEmpty: () => void,
    options: StreamHubOptions = {},
  ) {
    this.contiguous = source.contiguous === true;
    this.sliceSize = options.sliceSize ?? 64;
    this.pages = new PageReads(source, (event) => this.entry(event), options.pageSize ?? 500);
    const entries$ = source.live().pipe(
      map((event) => this.entry(event)),
      share(),
    );
    this.subscription = entries$.subscribe({
      next: (entry) => this.receive(entry),
      error: (error: unknown) => this.fail(error),
      complete: () => this.close(),
    });
  }

  get subscribers(): number {
    return this.live.size + this.reading.size;
  }

  /** Frames after `after` go to `sink`, history first; `control` narrows what it takes. */
  subscribe(after: number, sink: HubSink<Frame>, control?: HubControl<Frame>): HubSubscription {
    const subscriber = new Subscriber(this, sink, control, after);
    this.startReading(subscriber, false);
    return subscriber;
  }

  private entry(event: RecordedEvent): HubEntry<Frame> {
    return {
      key: this.source.keyOf(event),
      event,
      frame: this.projection.frame(event),
      end: this.projection.isEnd?.(event) ?? false,
    };
  }

  private receive(entry: HubEntry<Frame>): void {
    if (entry.key <= this.head) return;
    this.head = entry.key;
    if (entry.end) this.endKey = entry.key;
    this.pages.invalidateShort();
    this.pending.push(entry);
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  /** Writes the tick's entries: one shared frame array for every subscriber exactly at its start. */
  private flush(): void {
    this.flushQueued = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const first = batch[0]?.key ?? 0;
    const lastEntry = batch[batch.length - 1];
    if (!lastEntry) return;
    let frames: Frame[] | null = null;
    for (const subscriber of this.live) {
      const atStart = this.contiguous ? subscriber.last === first - 1 : subscriber.last < first;
      if (!atStart || subscriber.control) {
        this.settle(subscriber, this.deliver(subscriber, batch, 0, batch.length));
        continue;
      }
      frames ??= framesOf(batch);
      const before = subscriber.last;
      subscriber.last = lastEntry.key;
      const taken = frames.length === 0 ? true : subscriber.sink.write(frames);
      if (typeof taken === 'number' && taken < frames.length) {
        subscriber.last = keyOfFrame(batch, taken, before);
        this.startReading(subscriber, true);
      } else if (this.endKey !== null && subscriber.last >= this.endKey) this.finish(subscriber);
      else if (taken === false) this.startReading(subscriber, true);
    }
  }

  private settle(subscriber: Subscriber<Frame>, outcome: Outcome): void {
    if (outcome === 'full') this.startReading(subscriber, true);
    else if (outcome === 'gap') this.startReading(subscriber, false);
  }

  /** Entries [from, to) for one subscriber, in one write; what stopped it, if anything. */
  private deliver(
    subscriber: Subscriber<Frame>,
    entries: ReadonlyArray<HubEntry<Frame>>,
    from: number,
    to: number,
  ): Outcome {
    const frames: Frame[] = [];
    /** The key each frame moved the subscriber to, for a sink that takes part of them. */
    const keys: number[] = [];
    const before = subscriber.last;
    let outcome: Outcome = 'more';
    for (let i = from; i < to; i++) {
      const entry = entries[i];
      if (!entry) break;
      if (entry.key <= subscriber.last) {
        if (entry.end) outcome = 'done';
        if (outcome === 'done') break;
        continue;
      }
      if (this.contiguous && entry.key !== subscriber.last + 1) {
        outcome = 'gap';
        break;
      }
      const verdict = subscriber.control?.(entry) ?? 'deliver';
      if (verdict === 'stop') {
        outcome = 'done';
        break;
      }
      subscriber.last = entry.key;
      if (verdict !== 'skip' && entry.frame !== null) {
        frames.push(entry.frame);
        keys.push(entry.key);
      }
      if (verdict === 'last' || entry.end) {
        outcome = 'done';
        break;
      }
    }
    const taken = frames.length === 0 ? true : subscriber.sink.write(frames);
    if (typeof taken === 'number' && taken < frames.length) {
      subscriber.last = taken === 0 ? before : (keys[taken - 1] ?? before);
      return 'full';
    }
    const writable = taken !== false;
    if (outcome === 'done') {
      this.finish(subscriber);
      return 'done';
    }
    return outcome === 'more' && !writable ? 'full' : outcome;
  }

  private startReading(subscriber: Subscriber<Frame>, afterDrain: boolean): void {
    this.live.delete(subscriber);
    this.reading.add(subscriber);
    const run = async (): Promise<void> => {
      if (afterDrain) await subscriber.sink.writable();
      await this.catchUp(subscriber);
    };
    run().catch((error: unknown) => {
      if (subscriber.done) return;
      this.drop(subscriber);
      subscriber.sink.error(error);
    });
  }

  private async catchUp(subscriber: Subscriber<Frame>): Promise<void> {
    for (;;) {
      if (subscriber.done) return;
      const page = await this.pages.read(subscriber.last);
      for (let from = 0; from < page.entries.length; from += this.sliceSize) {
        if (subscriber.done) return;
        const outcome = this.deliver(subscriber, page.entries, from, from + this.sliceSize);
        if (outcome === 'done') return;
        if (outcome === 'gap') break;
        if (outcome === 'full') await subscriber.sink.writable();
      }
      if (subscriber.done) return;
      if (!page.short) continue;
      if (this.endKey !== null && subscriber.last >= this.endKey) return this.finish(subscriber);
      if (this.head > subscriber.last) continue;
      if (this.liveEnded || this.disposed) return this.finish(subscriber);
      this.reading.delete(subscriber);
      if (this.reading.size === 0) this.pages.forget();
      this.live.add(subscriber);
      return;
    }
  }

  private finish(subscriber: Subscriber<Frame>): void {
    if (subscriber.done) return;
    this.drop(subscriber);
    subscriber.sink.end();
  }

  private drop(subscriber: Subscriber<Frame>): void {
    subscriber.done = true;
    this.live.delete(subscriber);
    this.reading.delete(subscriber);
    if (this.subscribers === 0) this.dispose();
  }

  /** A subscriber's own unsubscribe. */
  leave(subscriber: Subscriber<Frame>): void {
    if (!subscriber.done) this.drop(subscriber);
  }

  /** The live feed closed (shutdown): caught-up subscribers end now, the others once caught up. */
  private close(): void {
    this.flush();
    this.liveEnded = true;
    for (const subscriber of this.live) this.finish(subscriber);
    this.detach();
  }

  private fail(error: unknown): void {
    this.liveEnded = true;
    for (const subscriber of [...this.live, ...this.reading]) {
      this.drop(subscriber);
      subscriber.sink.error(error);
    }
    this.detach();
  }

  private dispose(): void {
    this.subscription.unsubscribe();
    this.detach();
  }

  private detach(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onEmpty();
  }
}

/** The key of the entry that carries the `taken`th frame of `entries`; `before` when none was taken. */
function keyOfFrame<Frame>(entries: ReadonlyArray<HubEntry<Frame>>, taken: number, before: number): number {
  let seen = 0;
  for (const entry of entries) {
    if (entry.frame === null) continue;
    seen++;
    if (seen === taken) return entry.key;
  }
  return before;
}

function framesOf<Frame>(entries: ReadonlyArray<HubEntry<Frame>>): Frame[] {
  const frames: Frame[] = [];
  for (const entry of entries) if (entry.frame !== null) frames.push(entry.frame);
  return frames;
}
