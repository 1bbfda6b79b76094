import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { LiveFeed, StreamHubs, streamSource, type NewEvent } from '#eventsourcing';
import { InMemoryEventStore } from '#eventsourcing/testing';
import { FrameQueue, queueSink } from './frame-queue.js';

const tick = (n: number, type = 'Tick'): NewEvent => ({
  type,
  data: { n },
  metadata: { eventId: randomUUID(), commandId: 'c', correlationId: 'c', userId: 'u', occurredAt: 'now' },
});

/** A hub over an in-memory store whose frames are the events' revisions, ending at `End`. */
function setup() {
  const store = new InMemoryEventStore();
  const feed = new LiveFeed(store);
  const hubs = new StreamHubs<number>(
    (streamId) => streamSource(store, feed, streamId),
    { frame: (event) => event.revision, isEnd: (event) => event.type === 'End' },
    { pageSize: 5, sliceSize: 4 },
  );
  const streamId = `s-${randomUUID()}`;
  let revision = 0;
  const append = async (count: number, last = 'Tick'): Promise<void> => {
    const events = Array.from({ length: count }, (_, i) => tick(revision + i + 1, i === count - 1 ? last : 'Tick'));
    revision = (await store.appendToStream(streamId, events, revision)).nextRevision;
  };
  return { hubs, streamId, append };
}

async function drain(queue: AsyncIterableIterator<string>): Promise<string[]> {
  const seen: string[] = [];
  for await (const value of queue) seen.push(value);
  return seen;
}

describe('FrameQueue on a stream hub', () => {
  it('holds at most its limit for a client that does not pull, then catches up from the store: nothing lost or twice', async () => {
    const { hubs, streamId, append } = setup();
    const queue = new FrameQueue<string>(4);
    const subscription = hubs.subscribe(
      streamId,
      0,
      queueSink(queue, (revision: number) => `#${revision}`),
    );
    queue.onReturn = () => subscription.unsubscribe();
    await append(30);
    await append(10, 'End');
    await new Promise((resolve) => setImmediate(resolve));
    // Nobody pulled yet: the hub stopped writing once the queue was full (within one slice of 4).
    expect(queue.size).toBeGreaterThanOrEqual(4);
    expect(queue.size).toBeLessThan(8);
    const first = await queue.next();
    expect(first).toEqual({ value: '#1', done: false });
    const rest = await drain(queue);
    expect(['#1', ...rest]).toEqual(Array.from({ length: 40 }, (_, i) => `#${i + 1}`));
  });

  it('stops the hub subscription when the consumer returns, and answers done from then on', async () => {
    const { hubs, streamId, append } = setup();
    const queue = new FrameQueue<string>(8);
    let unsubscribed = false;
    const subscription = hubs.subscribe(
      streamId,
      0,
      queueSink(queue, (revision: number) => `#${revision}`),
    );
    queue.onReturn = () => {
      unsubscribed = true;
      subscription.unsubscribe();
    };
    const pending = queue.next();
    await append(1);
    expect(await pending).toEqual({ value: '#1', done: false });
    const waiting = queue.next();
    await queue.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(unsubscribed).toBe(true);
    await append(3);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('hands over what it holds before a failure, then rejects with it', async () => {
    const queue = new FrameQueue<string>(8);
    queue.push('a');
    queue.fail(new Error('store away'));
    expect(await queue.next()).toEqual({ value: 'a', done: false });
    await expect(queue.next()).rejects.toThrow('store away');
  });
});
