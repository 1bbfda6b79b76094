import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { Subject, firstValueFrom, filter, timeout } from 'rxjs';
import { silentLogger, type Logger } from '../../logging/logger.js';
import {
  describeEventStoreContract,
  FEED_TIMEOUT_MS,
  SENTINEL_TYPE,
  collectUntilSentinel,
  newEvent,
  newStreamId,
  writeBatches,
} from '#eventsourcing/testing';
import { EventStoreUnavailableError } from '#eventsourcing';
import { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store.js';

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const newSchema = () => `es_test_${randomBytes(6).toString('hex')}`;
const schema = newSchema();
const createdSchemas = new Set([schema]);

const open = (options: Partial<PostgresEventStoreOptions> = {}) =>
  PostgresEventStore.open({ connectionString, schema, pollIntervalMs: 200, ...options });

afterAll(async () => {
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  try {
    for (const name of createdSchemas) await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(name)} CASCADE`);
  } finally {
    await admin.end();
  }
});

describeEventStoreContract('postgres', async () => {
  const store = await open();
  return { store, dispose: () => store.close() };
});

describe('postgres event store', () => {
  it('migrates idempotently when several processes start at once', async () => {
    const fresh = newSchema();
    createdSchemas.add(fresh);
    const stores = await Promise.all([1, 2, 3, 4].map(() => open({ schema: fresh })));
    try {
      await stores[0]?.appendToStream(newStreamId(), [newEvent()], 'no_stream');
      expect(await stores[3]?.headPosition()).toBeGreaterThan(0);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  describe('two instances on one schema (two processes)', () => {
    let first: PostgresEventStore;
    let second: PostgresEventStore;
    beforeAll(async () => {
      [first, second] = await Promise.all([open(), open()]);
    });
    afterAll(async () => {
      await Promise.all([first.close(), second.close()]);
    });

    it("see each other's appends on their live feeds, in the same order", async () => {
      const [fromFirst, fromSecond, sentinel] = [newStreamId('first'), newStreamId('second'), newStreamId('sentinel')];
      const watched = new Set([fromFirst, fromSecond, sentinel]);
      const seenByFirst = collectUntilSentinel(first.subscribe(), watched);
      const seenBySecond = collectUntilSentinel(second.subscribe(), watched);
      await Promise.all([writeBatches(first, fromFirst, 5, 2), writeBatches(second, fromSecond, 5, 2)]);
      await second.appendToStream(sentinel, [newEvent(SENTINEL_TYPE)], 'no_stream');
      const [a, b] = await Promise.all([seenByFirst, seenBySecond]);
      expect(a).toHaveLength(21);
      expect(b).toEqual(a);
      expect(new Set(a.map((event) => event.streamId))).toEqual(watched);
    });

    it("reject each other's conflicting appends", async () => {
      const streamId = newStreamId();
      await first.appendToStream(streamId, [newEvent()], 'no_stream');
      await expect(second.appendToStream(streamId, [newEvent()], 'no_stream')).rejects.toMatchObject({ actual: 1 });
    });
  });

  it('restores its LISTEN connection after the server drops it', async () => {
    const logs = new Subject<string>();
    const restored = firstValueFrom(
      logs.pipe(
        filter((msg) => msg.includes('restored')),
        timeout({ first: FEED_TIMEOUT_MS }),
      ),
    );
    // Its own schema, so its LISTEN connection is the only one to find; and an hour
    // between polls, so only a working LISTEN connection can deliver in time.
    const isolated = newSchema();
    createdSchemas.add(isolated);
    const store = await open({ schema: isolated, pollIntervalMs: 3_600_000, logger: recordingLogger(logs) });
    const admin = new pg.Client({ connectionString });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ killed: boolean }>(
        'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1',
        [`event-store-listen-${isolated}`],
      );
      expect(rows.map((row) => row.killed)).toEqual([true]);
      await restored;
      const streamId = newStreamId();
      const delivered = collectUntilSentinel(store.subscribe(), new Set([streamId]));
      await store.appendToStream(streamId, [newEvent(SENTINEL_TYPE)], 'no_stream');
      expect((await delivered).map((event) => event.streamId)).toEqual([streamId]);
    } finally {
      await admin.end();
      await store.close();
    }
  });

  it('reports an unreachable server as EventStoreUnavailableError', async () => {
    const opening = PostgresEventStore.open({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema });
    await expect(opening).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(open({ schema: 'public; DROP TABLE x' })).rejects.toThrow('invalid postgres schema name');
  });
});

function recordingLogger(messages: Subject<string>): Logger {
  const record = (_: object, msg?: string) => messages.next(msg ?? '');
  const logger: Logger = { ...silentLogger, info: record, warn: record, child: () => logger };
  return logger;
}
