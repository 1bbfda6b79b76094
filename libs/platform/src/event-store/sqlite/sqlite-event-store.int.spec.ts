import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import { describeEventStoreContract, FEED_TIMEOUT_MS, newEvent, newStreamId } from '#eventsourcing/testing';
import { SqliteEventStore } from './sqlite-event-store.js';

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

describe('sqlite event store', () => {
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
