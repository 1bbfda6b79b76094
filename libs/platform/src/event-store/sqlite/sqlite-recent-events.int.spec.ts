import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import type { NewEvent, ReadAllOptions, RecordedEvent } from '#eventsourcing';
import { FEED_TIMEOUT_MS, newEvent, newEvents, newStreamId } from '#eventsourcing/testing';
import { SqliteEventStore } from './sqlite-event-store.js';
import { blockUntil, countRows } from './sqlite-store.testing.js';

const directory = mkdtempSync(join(tmpdir(), 'sqlite-recent-events-'));
let opened = 0;
const newFile = () => join(directory, `events-${(opened += 1)}.sqlite`);

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** Whether two reads hand back the very same objects: kept in memory, not decoded again. */
async function sharedAcrossReads(read: () => Promise<RecordedEvent[]>): Promise<boolean> {
  const [first, second] = [await read(), await read()];
  return first.length > 0 && first.every((event, index) => event === second[index]);
}

const sharedReadsOfAll = (store: SqliteEventStore, options: ReadAllOptions) =>
  sharedAcrossReads(() => store.readAll(options));

/** Commits an event the way another process on the same file would: through a connection of its own. */
function appendFromAnotherConnection(filename: string, streamId: string): void {
  const other = new Database(filename);
  try {
    const event = newEvent();
    other
      .prepare('INSERT INTO events (stream_id, revision, type, data, metadata) VALUES (?, 1, ?, ?, ?)')
      .run(streamId, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata));
  } finally {
    other.close();
  }
}

/** A deterministic sequence of numbers in [0, 1) (a linear congruential generator). */
function randomSequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('sqlite event store: the newest events kept in memory', () => {
  it('hands every reader of the global order the objects its feed published, frozen', async () => {
    const store = new SqliteEventStore({ filename: newFile() });
    try {
      const published = firstValueFrom(store.subscribe().pipe(take(3), toArray(), timeout(FEED_TIMEOUT_MS)));
      await store.appendToStream(newStreamId(), newEvents(3), 'no_stream');
      const [first, second] = [await store.readAll(), await store.readAll({ after: 0, maxCount: 3 })];

      expect(first).toHaveLength(3);
      const fromFeed = await published;
      first.forEach((event, index) => {
        expect(event).toBe(second[index]);
        expect(event).toBe(fromFeed[index]);
        expect([event, event.data, event.metadata].every((part) => Object.isFrozen(part))).toBe(true);
      });
    } finally {
      await store.close();
    }
  });

  it('reads what a store opening the same file reads, for any position, stream and page size, past its bound too', async () => {
    const filename = newFile();
    const bound = 16;
    const store = new SqliteEventStore({ filename, recentEvents: bound });
    try {
      const streams = Array.from({ length: 5 }, () => newStreamId('mixed'));
      for (let round = 0; round < 8; round += 1) {
        // Several appends in one turn: one group, one of them refused.
        await Promise.allSettled([
          ...streams.map((streamId, index) => store.appendToStream(streamId, newEvents(1 + (index % 3)), 'any')),
          store.appendToStream(streams[0] as string, [newEvent()], 'no_stream'),
        ]);
      }
      const head = await store.headPosition();
      expect(head).toBeGreaterThan(bound * 4);
      const fresh = new SqliteEventStore({ filename });
      try {
        const random = randomSequence(42);
        for (let read = 0; read < 300; read += 1) {
          const after = Math.floor(random() * (head + 3));
          const maxCount = random() < 0.2 ? undefined : Math.floor(random() * 24);
          const options = { after, maxCount };
          expect({ options, events: await store.readAll(options) }).toEqual({
            options,
            events: await fresh.readAll(options),
          });
          const streamId = streams[Math.floor(random() * streams.length)] ?? 'no-such-stream';
          const inStream = { after: Math.floor(random() * 20), maxCount };
          expect({ streamId, inStream, events: await store.readStream(streamId, inStream) }).toEqual({
            streamId,
            inStream,
            events: await fresh.readStream(streamId, inStream),
          });
        }
      } finally {
        await fresh.close();
      }
      // The newest `bound` events are kept; one further back is read from the file.
      expect(await sharedReadsOfAll(store, { after: head - bound })).toBe(true);
      expect(await sharedReadsOfAll(store, { after: head - bound - 1 })).toBe(false);
      // A stream joined at its head is read from memory; from its start, from the file.
      const last = streams.at(-1) as string;
      const { revision } = (await store.readLastEvent(last)) as RecordedEvent;
      expect(await sharedAcrossReads(() => store.readStream(last, { after: revision - 1 }))).toBe(true);
      // Its newest event too, and the same one a store opening the file reads.
      expect(await sharedAcrossReads(async () => [(await store.readLastEvent(last)) as RecordedEvent])).toBe(true);
      const reopened = new SqliteEventStore({ filename });
      try {
        expect(await store.readLastEvent(last)).toEqual(await reopened.readLastEvent(last));
      } finally {
        await reopened.close();
      }
      expect(await sharedAcrossReads(() => store.readStream(last))).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('keeps no more than its bound on the stored JSON, dropping even an event larger than all of it', async () => {
    const event = (length: number) => newEvent('ThingHappened', { text: 'x'.repeat(length) });
    const size = (kept: NewEvent) => JSON.stringify(kept.data).length + JSON.stringify(kept.metadata).length;
    const store = new SqliteEventStore({ filename: newFile(), recentCharacters: Math.floor(3.5 * size(event(1_000))) });
    try {
      const streamId = newStreamId();
      for (let revision = 0; revision < 10; revision += 1)
        await store.appendToStream(streamId, [event(1_000)], revision);
      const head = await store.headPosition();
      expect(await sharedReadsOfAll(store, { after: head - 3 })).toBe(true);
      expect(await sharedReadsOfAll(store, { after: head - 4 })).toBe(false);

      const { lastPosition } = await store.appendToStream(streamId, [event(10_000)], 10);
      expect(await sharedReadsOfAll(store, { after: lastPosition - 1 })).toBe(false);
      expect((await store.readAll({ after: head })).map((read) => read.position)).toEqual([lastPosition]);
    } finally {
      await store.close();
    }
  });

  it('reads what another connection commits on the same file, even between two of its own commits', async () => {
    const filename = newFile();
    const store = new SqliteEventStore({ filename });
    const second = new SqliteEventStore({ filename });
    try {
      const before = await store.headPosition();
      const [own, raw, fromSecond] = [newStreamId('own'), newStreamId('raw'), newStreamId('second')];
      await store.appendToStream(own, [newEvent()], 'no_stream');
      appendFromAnotherConnection(filename, raw);
      await store.appendToStream(own, [newEvent()], 1);
      expect((await store.readAll({ after: before })).map((event) => event.streamId)).toEqual([own, raw, own]);

      const { lastPosition } = await store.appendToStream(own, [newEvent()], 2);
      expect(await sharedReadsOfAll(store, { after: before })).toBe(false);
      expect(await sharedReadsOfAll(store, { after: lastPosition - 1 })).toBe(true);
      await second.appendToStream(fromSecond, [newEvent()], 'no_stream');
      expect((await store.readAll({ after: lastPosition })).map((event) => event.streamId)).toEqual([fromSecond]);
      // A stream kept from its revision 4 on, then appended to by the other store.
      await store.appendToStream(own, [newEvent()], 3);
      expect(await sharedAcrossReads(() => store.readStream(own, { after: 3 }))).toBe(true);
      await second.appendToStream(own, [newEvent()], 4);
      expect((await store.readStream(own, { after: 3 })).map((event) => event.revision)).toEqual([4, 5]);
    } finally {
      await Promise.all([store.close(), second.close()]);
    }
  });

  it('never shows a group not answered yet, from memory or after another connection committed', async () => {
    const filename = newFile();
    const store = new SqliteEventStore({ filename });
    const reader = new Database(filename, { readonly: true });
    try {
      const [streamId, raw] = [newStreamId(), newStreamId('raw')];
      const { lastPosition: first } = await store.appendToStream(streamId, [newEvent()], 'no_stream');
      const appended = store.appendToStream(streamId, [newEvent()], 1);
      // The writer thread commits the group while this one waits in its turn: nothing answers it.
      const seenMeanwhile = await new Promise<unknown[]>((resolve) =>
        setImmediate(() => {
          blockUntil(() => countRows(reader) === 2);
          const fromMemory = store.readAll({ after: first });
          appendFromAnotherConnection(filename, raw);
          void Promise.all([fromMemory, store.readAll({ after: first }), store.readAll()]).then((reads) =>
            resolve(reads.map((events) => events.map((event) => event.position))),
          );
        }),
      );
      expect(seenMeanwhile).toEqual([[], [], [first]]);
      const { lastPosition: second } = await appended;
      expect((await store.readAll({ after: first })).map((event) => event.position)).toEqual([second, second + 1]);
      const { lastPosition: third } = await store.appendToStream(newStreamId(), [newEvent()], 'no_stream');
      expect(await sharedReadsOfAll(store, { after: second + 1 })).toBe(true);
      expect((await store.readAll({ after: second + 1 })).map((event) => event.position)).toEqual([third]);
    } finally {
      reader.close();
      await store.close();
    }
  });
});
