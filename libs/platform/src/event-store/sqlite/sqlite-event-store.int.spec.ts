import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { firstValueFrom, take, tap, timeout, toArray } from 'rxjs';
import { WrongExpectedRevisionError } from '#eventsourcing';
import { describeEventStoreContract, FEED_TIMEOUT_MS, newEvent, newStreamId } from '#eventsourcing/testing';
import { SqliteEventStore } from './sqlite-event-store.js';
import { blockUntil, countRows } from './sqlite-store.testing.js';

const directory = mkdtempSync(join(tmpdir(), 'sqlite-event-store-'));
let opened = 0;
/** Each store gets its own file, in a directory that does not exist yet. */
const newFile = () => join(directory, `nested-${(opened += 1)}`, 'events.sqlite');

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describeEventStoreContract('sqlite', async () => {
  const store = new SqliteEventStore({ filename: newFile() });
  return { store, dispose: () => store.close() };
});

describeEventStoreContract('sqlite in memory', async () => {
  const store = new SqliteEventStore({ filename: ':memory:' });
  return { store, dispose: () => store.close() };
});

describeEventStoreContract('sqlite committed in-thread', async () => {
  const store = new SqliteEventStore({ filename: newFile(), writer: 'in-thread' });
  return { store, dispose: () => store.close() };
});

/** WAL frames: a page and its 24-byte header (SQLite's default page size). */
const walFrames = (filename: string): number => statSync(`${filename}-wal`).size / (4096 + 24);

/** Reads the store in this turn: an async method's body runs up to its first await. */
const readsNow = (store: SqliteEventStore, streamId: string) =>
  Promise.all([store.readStream(streamId), store.readAll(), store.headPosition()]).then(([stream, all, head]) => [
    stream.length,
    all.length,
    head,
  ]);

describe('sqlite event store', () => {
  it('commits and fsyncs on a thread of its own, and shows a committed group to nobody until it is durable and answered', async () => {
    const filename = newFile();
    const store = new SqliteEventStore({ filename });
    const reader = new Database(filename, { readonly: true });
    try {
      const streamId = newStreamId();
      const live = firstValueFrom(store.subscribe().pipe(take(1), timeout(FEED_TIMEOUT_MS)));
      const appended = store.appendToStream(streamId, [newEvent()], 'no_stream');
      // The group is committed while this thread waits in its turn, so nothing answers it yet.
      const hidden = await new Promise<Promise<number[]>>((resolve) =>
        setImmediate(() => {
          blockUntil(() => countRows(reader) === 1);
          resolve(readsNow(store, streamId));
        }),
      );
      expect(await hidden).toEqual([0, 0, 0]);
      const { lastPosition } = await appended;
      expect((await live).position).toBe(lastPosition);
      expect(await readsNow(store, streamId)).toEqual([1, 1, lastPosition]);
    } finally {
      reader.close();
      await store.close();
    }
  });

  it('committed in-thread, fsyncs off the event loop and shows a committed group to nobody until then', async () => {
    const filename = newFile();
    const store = new SqliteEventStore({ filename, writer: 'in-thread' });
    try {
      const streamId = newStreamId();
      const live = firstValueFrom(store.subscribe().pipe(take(1), timeout(FEED_TIMEOUT_MS)));
      const appended = store.appendToStream(streamId, [newEvent()], 'no_stream');
      // Queued after the group's commit, in the same turn: the commit is written, its fsync not done.
      const framesBefore = walFrames(filename);
      const seenMeanwhile = await new Promise<unknown[]>((resolve) =>
        setImmediate(() => {
          const committed = walFrames(filename) > framesBefore;
          void readsNow(store, streamId).then((reads) => resolve([committed, ...reads]));
        }),
      );
      expect(seenMeanwhile).toEqual([true, 0, 0, 0]);
      const { lastPosition } = await appended;
      expect((await live).position).toBe(lastPosition);
      expect(await readsNow(store, streamId)).toEqual([1, 1, lastPosition]);
    } finally {
      await store.close();
    }
  });

  it('shows a group to readers from its publication on, while the group after it is still with the writer', async () => {
    const store = new SqliteEventStore({ filename: newFile() });
    try {
      const [first, second] = [newStreamId('first'), newStreamId('second')];
      let readAtPublication: Promise<number[]> | null = null;
      const subscription = store.subscribe().subscribe((event) => {
        if (event.streamId === first) readAtPublication = readsNow(store, first);
      });
      const appended = [store.appendToStream(first, [newEvent()], 'no_stream')];
      // The first group is handed over in this turn; the second in the next, before the first
      // can be answered (an answer is settled a turn after it arrives).
      await new Promise((resolve) => setImmediate(resolve));
      appended.push(store.appendToStream(second, [newEvent()], 'no_stream'));
      const [{ lastPosition }] = await Promise.all(appended);
      subscription.unsubscribe();
      expect(await readAtPublication).toEqual([1, 1, lastPosition]);
    } finally {
      await store.close();
    }
  });

  it('commits the appends of one turn of the event loop together, each with its own expected revision', async () => {
    const filename = newFile();
    const store = new SqliteEventStore({ filename });
    try {
      const taken = newStreamId('taken');
      await store.appendToStream(taken, [newEvent()], 'no_stream');
      const before = walFrames(filename);
      const streams = Array.from({ length: 20 }, () => newStreamId('group'));

      const outcomes = await Promise.allSettled([
        ...streams.map((streamId) => store.appendToStream(streamId, [newEvent()], 'no_stream')),
        store.appendToStream(taken, [newEvent()], 'no_stream'),
      ]);

      // Twenty commits would write at least one frame each; one group writes a handful.
      expect(walFrames(filename) - before).toBeLessThan(streams.length / 2);
      expect(outcomes.slice(0, streams.length).every((outcome) => outcome.status === 'fulfilled')).toBe(true);
      const refused = outcomes.at(-1);
      expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(WrongExpectedRevisionError);
      for (const streamId of streams) expect(await store.readStream(streamId)).toHaveLength(1);
      expect(await store.readStream(taken)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('publishes a burst of appends a group of at most about 512 events per turn of the event loop, in order', async () => {
    const store = new SqliteEventStore({ filename: newFile() });
    try {
      const streams = Array.from({ length: 20 }, () => newStreamId('burst'));
      let turn = 0;
      let ticking = true;
      const tick = (): void => {
        turn += 1;
        if (ticking) setImmediate(tick);
      };
      tick();
      const perTurn = new Map<number, number>();
      const published = firstValueFrom(
        store.subscribe().pipe(
          tap(() => perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1)),
          take(2_000),
          toArray(),
          timeout(FEED_TIMEOUT_MS),
        ),
      );
      await Promise.all(
        streams.map((streamId) =>
          store.appendToStream(
            streamId,
            Array.from({ length: 100 }, () => newEvent()),
            'no_stream',
          ),
        ),
      );
      ticking = false;
      const positions = (await published).map((event) => event.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      // Appends are never split: six of 100 events make a group (the sixth crosses 512).
      expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(600);
      for (const streamId of streams) expect(await store.readStream(streamId)).toHaveLength(100);
    } finally {
      await store.close();
    }
  });

  it('keeps its events across a reopen of the same file', async () => {
    const filename = newFile();
    const streamId = newStreamId();
    const writer = new SqliteEventStore({ filename });
    const { lastPosition } = await writer.appendToStream(streamId, [newEvent()], 'no_stream');
    await writer.close();
    const reader = new SqliteEventStore({ filename });
    try {
      expect(await reader.headPosition()).toBe(lastPosition);
      expect(await reader.readStream(streamId)).toHaveLength(1);
    } finally {
      await reader.close();
    }
  });

  it('keeps position order for every subscriber when one appends from inside its handler', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    try {
      const [trigger, reaction] = [newStreamId('trigger'), newStreamId('reaction')];
      const observed = firstValueFrom(store.subscribe().pipe(take(3), toArray(), timeout({ first: FEED_TIMEOUT_MS })));
      const reacting = store.subscribe().subscribe((event) => {
        if (event.streamId === trigger && event.revision === 1)
          void store.appendToStream(reaction, [newEvent()], 'no_stream');
      });
      await store.appendToStream(trigger, [newEvent(), newEvent()], 'no_stream');
      reacting.unsubscribe();
      const positions = (await observed).map((event) => event.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect((await observed).map((event) => event.streamId)).toEqual([trigger, trigger, reaction]);
    } finally {
      await store.close();
    }
  });

  it('refuses to work once closed', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    await store.close();
    await expect(store.readAll()).rejects.toThrow('closed');
    await expect(store.ping()).rejects.toThrow('closed');
  });
});
