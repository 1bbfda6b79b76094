import { join } from 'node:path';
import type { ReadModelStore } from '#eventsourcing';
import type { StorageSettings } from '../config/settings-sections.js';
import type { Logger } from '../logging/logger.js';
import { PostgresReadModelStore } from './postgres-read-model-store.js';
import { SqliteReadModelStore } from './sqlite-read-model-store.js';

/**
 * Read models live in PostgreSQL wherever the deployment has one beside a shared store
 * (the postgres store, or KurrentDB with DATABASE_URL); in a SQLite file of DATA_DIR
 * otherwise, as the embedded mode's events do.
 */
export async function createReadModelStore(storage: StorageSettings, logger: Logger): Promise<ReadModelStore> {
  if (storage.eventStore !== 'sqlite' && storage.databaseUrl) {
    return PostgresReadModelStore.open({
      connectionString: storage.databaseUrl,
      schema: storage.databaseSchema,
      logger,
    });
  }
  return new SqliteReadModelStore(join(storage.dataDir, 'read-models.sqlite'));
}
