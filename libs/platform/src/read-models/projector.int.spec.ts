import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { checkpointReached, Projector, type EventStore, type Projection, type ReadModelStore } from '#eventsourcing';
import { newEvent } from '#eventsourcing/testing';
import { KurrentDbEventStore } from '../event-store/kurrentdb/kurrentdb-event-store.js';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store.js';
import { PostgresReadModelStore } from './postgres-read-model-store.js';
import { scratchSpace, TEST_DATABASE_URL } from './read-models.testing.js';
import { SqliteReadModelStore } from './sqlite-read-model-store.js';

const connectionString = TEST_DATABASE_URL;
const kurrentdbUrl = process.env.KURRENTDB_URL;
if (!kurrentdbUrl) console.log('KurrentDB with PostgreSQL read models skipped: KURRENTDB_URL is not set');
const scratch = scratchSpace('rm_projector');
afterAll(() => scratch.dispose());

/** Counts the events of this test's streams per stream (the store may hold others'). */
const counting = (prefix: string): Projection<{ streamId: string }> => ({
  name: `${prefix}counts`,
  version: 1,
  collections: [`${prefix}counts`],
  read: (event) => (event.streamId.startsWith(prefix) ? event : null),
  async handle(event, context) {
    const count = ((await context.get<number>(`${prefix}counts`, event.streamId)) ?? 0) + 1;
    context.put(`${prefix}counts`, event.streamId, count, { owner: null, status: null, sortAt: null, search: null });
  },
});

type Deployment = () => Promise<{ store: EventStore; readModels: ReadModelStore }>;

function describeProjectorOn(name: string, deploy: Deployment, reachable = true): void {
  (reachable ? describe : describe.skip)(`projector on ${name}`, () => {
    it('follows the store live and resumes after a restart without counting twice', async () => {
      const { store, readModels } = await deploy();
      try {
        const prefix = `p${randomUUID().replaceAll('-', '')}-`;
        const projection = counting(prefix);
        const [a, b] = [`${prefix}a`, `${prefix}b`];
        const first = new Projector({ store, readModels, projection });
        first.start();
        await store.appendToStream(a, [newEvent(), newEvent()], 'no_stream');
        const { lastPosition } = await store.appendToStream(b, [newEvent()], 'no_stream');
        expect(await checkpointReached(readModels, projection.name, lastPosition, { timeoutMs: 20_000 })).toBe(true);
        await first.stop();
        const { lastPosition: later } = await store.appendToStream(a, [newEvent()], 2);
        const second = new Projector({ store, readModels, projection });
        expect(await second.catchUp()).toBeGreaterThanOrEqual(later);
        expect((await readModels.get<number>(`${prefix}counts`, a))?.doc).toBe(3);
        expect((await readModels.get<number>(`${prefix}counts`, b))?.doc).toBe(1);
      } finally {
        await readModels.close();
        await store.close();
      }
    });
  });
}

describeProjectorOn('sqlite', async () => {
  const directory = scratch.directory();
  return {
    store: new SqliteEventStore({ filename: join(directory, 'events.sqlite') }),
    readModels: new SqliteReadModelStore(join(directory, 'read-models.sqlite')),
  };
});

describeProjectorOn('postgres', async () => {
  const schema = scratch.schema();
  return {
    store: await PostgresEventStore.open({ connectionString, schema, pollIntervalMs: 200 }),
    readModels: await PostgresReadModelStore.open({ connectionString, schema }),
  };
});

describeProjectorOn(
  'kurrentdb, read models in postgres',
  async () => ({
    store: await KurrentDbEventStore.open({ connectionString: kurrentdbUrl ?? '' }),
    readModels: await PostgresReadModelStore.open({ connectionString, schema: scratch.schema() }),
  }),
  kurrentdbUrl !== undefined,
);
