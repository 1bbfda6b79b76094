import { join } from 'node:path';
import { afterAll } from '@jest/globals';
import { describeReadModelStoreContract } from '#eventsourcing/testing';
import { PostgresReadModelStore } from './postgres-read-model-store.js';
import { scratchSpace, TEST_DATABASE_URL } from './read-models.testing.js';
import { SqliteReadModelStore } from './sqlite-read-model-store.js';

const scratch = scratchSpace('rm_test');
afterAll(() => scratch.dispose());

describeReadModelStoreContract('sqlite', async () => {
  const readModels = new SqliteReadModelStore(join(scratch.directory(), 'read-models.sqlite'));
  return { readModels, dispose: () => readModels.close() };
});

describeReadModelStoreContract('postgres', async () => {
  const readModels = await PostgresReadModelStore.open({
    connectionString: TEST_DATABASE_URL,
    schema: scratch.schema(),
  });
  return { readModels, dispose: () => readModels.close() };
});
