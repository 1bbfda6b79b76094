import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent, RecordedEvent } from '../../event-store/event-store.port.js';
import { InMemoryEventStore } from '../../testing/in-memory-event-store.js';
import { streamSource } from '../catch-up.js';
import { LiveFeed } from '../live-feed.js';
import type { HubSink } from './hub-sink.js';
import { StreamHubs } from './stream-hubs.js';

const event = (n: number, type = 'Tick'): NewEvent => ({
  type,
  data: { n },
  metadata: { eventId: randomUUID(), commandId: 'c', correlationId: 'c', userId: 'u', occurredAt: 'now' },
});

/** A sink that records writes; `full` makes it report its buffer over the limit until `drain()`. */
class RecordingSink implements HubSink<number> {
  readonly writes: Array<readonly number[]> = [];
  ended = false;
  failed: unknown = null;
  full = false;
  private waiting: Array<() => void> = [];

  get seen(): number[] {
    return this.writes.flat();
  }

  write(frames: readonly number[]): boolean | number {
    this.writes.push(frames);
    return !this.full;
  }

  writable(): Promise<void> {
    return this.full ? new Promise((resolve) => this.waiting.push(resolve)) : Promise.resolve();
  }

  drain(): void {
    this.full = false;
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  end(): void {
    this.ended = true;
  }

  error(error: unknown): void {
    this.failed = error;
  }
}

/** A sink that takes `room` frames of its next write, then is full until `drain()` (a buffer passed mid-write). */
class PartialSink extends RecordingSink {
  constructor(private room: number | null) {
    super();
  }

  override write(frames: readonly number[]): boolean | number {
    if (this.room === null || frames.length <= this.room) return super.write(frames);
    const taken = this.room;
    this.room = null;
    this.full = true;
    super.write(frames.slice(0, taken));
    return taken;
  }
}

/** Counts the store's reads of one stream: the hub's reads are what is under test. */
function countingReads(store: EventStore): { store: EventStore; reads: () => number } {
  let reads = 0;
  const counted: EventStore = Object.create(store) as EventStore;
  Object.assign(counted, {
    readStream: (streamId: string, options?: { after?: number; maxCount?: number }) => {
      reads++;
      return store.readStream(streamId, options);
    },
  });
  return { store: counted, reads: () => reads };
}

function setup(options: { pageSize?: number; end?: string } = {}) {
  const memory = new InMemoryEventStore();
  const counting = countingReads(memory);
  const feed = new LiveFeed(memory);
  const frame = (e: RecordedEvent): number | null => (e.type === 'Hidden' ? null : e.revision);
  const hubs = new StreamHubs<number>(
    (streamId) => streamSource(counting.store, feed, streamId),
    { frame, isEnd: (e) => e.type === options.end },
    { pageSize: options.pageSize ?? 500, sliceSize: 4 },
  );
  const streamId = `s-${randomUUID()}`;
  let revision = 0;
  const append = async (...types: string[]): Promise<void> => {
    revision = (
      await memory.appendToStream(
        streamId,
        types.map((t, i) => event(revision + i + 1, t)),
        revision,
      )
    ).nextRevision;
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { memory, feed, hubs, streamId, append, settle, reads: counting.reads };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('StreamHub', () => {
  it('catches a subscriber up from the store, then hands it live events without a gap or a repeat', async () => {
    const { hubs, streamId, append, settle } = setup({ pageSize: 3 });
    await append('Tick', 'Tick', 'Tick', 'Tick', 'Tick');
    const sink = new RecordingSink();
    const subscription = hubs.subscribe(streamId, 1, sink);
    await append('Tick');
    await settle();
    await append('Tick', 'Tick');
    await settle();
    expect(sink.seen).toEqual(range(2, 8));
    subscription.unsubscribe();
  });

  it('writes one tick of events once, as the same frames, to every caught-up subscriber', async () => {
    const { hubs, streamId, append, settle } = setup();
    await append('Tick');
    const sinks = [new RecordingSink(), new RecordingSink(), new RecordingSink()];
    const subscriptions = sinks.map((sink) => hubs.subscribe(streamId, 0, sink));
    await settle();
    await append('Tick', 'Hidden', 'Tick');
    await settle();
    const lastWrites = sinks.map((sink) => sink.writes.at(-1));
    expect(lastWrites[0]).toEqual([2, 4]);
    expect(lastWrites[1]).toBe(lastWrites[0]);
    expect(lastWrites[2]).toBe(lastWrites[0]);
    for (const subscription of subscriptions) subscription.unsubscribe();
  });

  it('sends a subscriber over its buffer back to the store and rejoins it once drained, others unaffected', async () => {
    const { hubs, streamId, append, settle } = setup({ pageSize: 2 });
    const slow = new RecordingSink();
    const fast = new RecordingSink();
    const subscriptions = [hubs.subscribe(streamId, 0, slow), hubs.subscribe(streamId, 0, fast)];
    await settle();
    slow.full = true;
    await append('Tick');
    await settle();
    const writesWhileFull = slow.writes.length;
    for (let n = 0; n < 5; n++) {
      await append('Tick', 'Tick');
      await settle();
    }
    expect(slow.writes.length).toBe(writesWhileFull);
    expect(fast.seen).toEqual(range(1, 11));
    slow.drain();
    await settle();
    await append('Tick');
    await settle();
    expect(slow.seen).toEqual(range(1, 12));
    expect(fast.seen).toEqual(range(1, 12));
    for (const subscription of subscriptions) subscription.unsubscribe();
  });

  it('takes the rest of a tick from the store when a sink took only part of it, with no gap or repeat', async () => {
    const { hubs, streamId, append, settle } = setup({ pageSize: 2 });
    const partial = new PartialSink(2);
    const subscription = hubs.subscribe(streamId, 0, partial);
    await settle();
    await append('Tick', 'Hidden', 'Tick', 'Tick', 'Tick');
    await settle();
    expect(partial.seen).toEqual([1, 3]);
    partial.drain();
    await settle();
    await append('Tick');
    await settle();
    expect(partial.seen).toEqual([1, 3, 4, 5, 6]);
    subscription.unsubscribe();
  });

  it('shares one store read among catch-ups from the same event', async () => {
    const { hubs, streamId, append, settle, reads } = setup();
    await append(...range(1, 20).map(() => 'Tick'));
    const before = reads();
    const sinks = range(1, 100).map(() => new RecordingSink());
    const subscriptions = sinks.map((sink) => hubs.subscribe(streamId, 10, sink));
    await settle();
    expect(reads() - before).toBe(1);
    for (const sink of sinks) expect(sink.seen).toEqual(range(11, 20));
    for (const subscription of subscriptions) subscription.unsubscribe();
  });

  it('ends subscribers after the last event, and one already past it once it learns of it', async () => {
    const { hubs, streamId, append, settle } = setup({ end: 'Done' });
    await append('Tick');
    const live = new RecordingSink();
    const ahead = new RecordingSink();
    hubs.subscribe(streamId, 0, live);
    hubs.subscribe(streamId, 3, ahead);
    await settle();
    expect(ahead.ended).toBe(false);
    await append('Tick', 'Done');
    await settle();
    expect(live.seen).toEqual([1, 2, 3]);
    expect(live.ended).toBe(true);
    expect(ahead.seen).toEqual([]);
    expect(ahead.ended).toBe(true);
  });

  it('lets a subscriber skip entries and stop after its own last one', async () => {
    const { hubs, streamId, append, settle } = setup();
    const sink = new RecordingSink();
    hubs.subscribe(streamId, 0, sink, (entry) => (entry.key % 2 === 0 ? 'skip' : entry.key >= 5 ? 'last' : 'deliver'));
    await settle();
    await append('Tick', 'Tick', 'Tick');
    await settle();
    await append('Tick', 'Tick', 'Tick');
    await settle();
    expect(sink.seen).toEqual([1, 3, 5]);
    expect(sink.ended).toBe(true);
  });

  it('keeps a hub while its stream has subscribers, and closes its live subscription with the last one', async () => {
    const { hubs, streamId } = setup();
    const first = hubs.subscribe(streamId, 0, new RecordingSink());
    const second = hubs.subscribe(streamId, 0, new RecordingSink());
    expect(hubs.size).toBe(1);
    first.unsubscribe();
    expect(hubs.size).toBe(1);
    second.unsubscribe();
    expect(hubs.size).toBe(0);
  });

  it('ends caught-up subscribers when the live feed closes, and later ones after their catch-up', async () => {
    const { hubs, streamId, append, settle, feed } = setup();
    await append('Tick');
    const live = new RecordingSink();
    hubs.subscribe(streamId, 0, live);
    await settle();
    feed.close();
    expect(live.ended).toBe(true);
    const late = new RecordingSink();
    hubs.subscribe(streamId, 0, late);
    await settle();
    expect(late.seen).toEqual([1]);
    expect(late.ended).toBe(true);
  });
});
