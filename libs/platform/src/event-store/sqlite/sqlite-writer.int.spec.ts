import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { EventStoreUnavailableError } from '#eventsourcing';
import { newEvent, newStreamId } from '#eventsourcing/testing';
import type { AppendRows } from './group-commit.js';
import { SqliteEventStore } from './sqlite-event-store.js';
import { ThreadWriter } from './sqlite-writer.js';

const directory = mkdtempSync(join(tmpdir(), 'sqlite-writer-'));

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function appendOf(streamId: string, wanted: number | null): AppendRows {
  const event = newEvent();
  return {
    streamId,
    wanted,
    rows: [{ type: event.type, data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) }],
  };
}

describe('sqlite writer thread', () => {
  it('fails the groups under way when its thread stops, and starts another for the next group', async () => {
    const filename = join(directory, 'not-yet', 'events.sqlite');
    const writer = new ThreadWriter(filename);
    let store: SqliteEventStore | null = null;
    try {
      // The directory does not exist: the thread cannot open the file and stops.
      const failed = writer.write([appendOf(newStreamId(), 0)]);
      await expect(failed).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(failed).rejects.toThrow(/writer thread stopped/);
      store = new SqliteEventStore({ filename });
      const streamId = newStreamId();
      const written = await writer.write([appendOf(streamId, 0), appendOf(streamId, 0)]);
      expect(written.unsynced).toBeUndefined();
      expect(written.outcomes).toEqual([
        { kind: 'written', current: 0, first: 1 },
        { kind: 'refused', current: 1 },
      ]);
      expect(await store.readStream(streamId)).toHaveLength(1);
    } finally {
      await writer.close();
      await store?.close();
    }
  });
});
