import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import {
  createScratchDatabase,
  holdAdvisoryLock,
  LOCK_HOLDER,
  terminateBackends,
  waitForLockWaiters,
  withAdmin,
  type ScratchDatabase,
} from '../../../../../test/support/postgres-faults.js';
import { collectUntilSentinel, newEvent, newEvents, newStreamId, SENTINEL_TYPE } from '#eventsourcing/testing';
import { EventStoreUnavailableError, type RecordedEvent } from '#eventsourcing';
import { PostgresEventStore } from './postgres-event-store.js';
import { postgresNames } from './postgres-schema.js';

const schemas: string[] = [];
const databases: ScratchDatabase[] = [];
const newSchema = (): string => {
  const schema = `es_outage_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return schema;
};

afterAll(async () => {
  await withAdmin(async (admin) => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  });
  for (const database of databases) await database.drop();
});

/** What a live feed delivered must be the store's content: every event once, in position order. */
async function expectFeedToMirror(
  delivered: readonly RecordedEvent[],
  store: PostgresEventStore,
  streams: ReadonlySet<string>,
): Promise<void> {
  const stored = (await store.readAll()).filter((event) => streams.has(event.streamId));
  expect(delivered.map((event) => event.position)).toEqual(stored.map((event) => event.position));
  expect(delivered.map((event) => event.metadata.eventId)).toEqual(stored.map((event) => event.metadata.eventId));
}

describe('postgres event store when the server drops its connections', () => {
  it('fails appends cut off mid-transaction as unavailable, then appends and feeds on with nothing lost or repeated', async () => {
    const database = await createScratchDatabase('es_terminate');
    databases.push(database);
    const schema = newSchema();
    const open = () => PostgresEventStore.open({ connectionString: database.url, schema, pollIntervalMs: 200 });
    const writer = await open();
    const reader = await open();
    const streams = [newStreamId('a'), newStreamId('b'), newStreamId('c')];
    const sentinel = newStreamId('sentinel');
    const watched = new Set([...streams, sentinel]);
    const seenByReader = collectUntilSentinel(reader.subscribe(), watched);
    const seenByWriter = collectUntilSentinel(writer.subscribe(), watched);
    try {
      for (const streamId of streams) await writer.appendToStream(streamId, newEvents(2), 'no_stream');
      // Appends wait on the append lock, holding their pooled connections mid-transaction.
      const lock = await holdAdvisoryLock(postgresNames(schema).appendLockKey, database.url);
      const blocked = streams.map((streamId) =>
        writer.appendToStream(streamId, newEvents(1), 2).then(
          () => 'appended',
          (error: unknown) => error,
        ),
      );
      await waitForLockWaiters({ database: database.name }, streams.length);
      // Every connection of the database but the lock holder's: both pools and both LISTEN connections.
      const ended = await terminateBackends({ database: database.name, sparing: [LOCK_HOLDER] });
      expect(ended).toBeGreaterThanOrEqual(streams.length + 2);
      for (const outcome of await Promise.all(blocked)) expect(outcome).toBeInstanceOf(EventStoreUnavailableError);
      await lock.release();

      // Nothing of the cut-off appends was committed: the same expected revision still holds.
      for (const streamId of streams) await writer.appendToStream(streamId, newEvents(3), 2);
      await terminateBackends({ applicationNames: [`event-store-listen-${schema}`] });
      for (const streamId of streams) await writer.appendToStream(streamId, newEvents(1), 5);
      await writer.appendToStream(sentinel, [newEvent(SENTINEL_TYPE)], 'no_stream');

      const [byReader, byWriter] = await Promise.all([seenByReader, seenByWriter]);
      expect(byReader).toHaveLength(3 * 6 + 1);
      await expectFeedToMirror(byReader, reader, watched);
      await expectFeedToMirror(byWriter, writer, watched);
    } finally {
      await Promise.all([writer.close(), reader.close()]);
    }
  });

  it('answers unavailable while the database refuses connections, then re-LISTENs and delivers what was committed meanwhile', async () => {
    const database = await createScratchDatabase('es_refuse');
    databases.push(database);
    const schema = newSchema();
    const writer = await PostgresEventStore.open({ connectionString: database.url, schema });
    // An hour between polls: only a restored LISTEN connection (and its catch-up read) can deliver in time.
    const reader = await PostgresEventStore.open({ connectionString: database.url, schema, pollIntervalMs: 3_600_000 });
    const streamId = newStreamId();
    const watched = new Set([streamId]);
    const seen = collectUntilSentinel(reader.subscribe(), watched);
    try {
      await writer.appendToStream(streamId, newEvents(3), 'no_stream');
      await database.refuse();
      await expect(writer.appendToStream(streamId, newEvents(1), 3)).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(reader.readStream(streamId)).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(reader.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await database.accept();

      await writer.appendToStream(streamId, newEvents(4), 3);
      await writer.appendToStream(streamId, [newEvent(SENTINEL_TYPE)], 7);
      const delivered = await seen;
      expect(delivered.map((event) => event.revision)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      await expectFeedToMirror(delivered, reader, watched);
      await expect(reader.ping()).resolves.toBeUndefined();
    } finally {
      await Promise.all([writer.close(), reader.close()]);
    }
  });
});
