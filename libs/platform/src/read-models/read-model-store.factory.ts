import { join } from 'node:path';
import type { ReadModelStore } from '#eventsourcing';
import type { Settings } from '../config/settings.js';
import type { Logger } from '../logging/logger.js';
import { PostgresReadModelStore } from './postgres-read-model-store.js';
import { SqliteReadModelStore } from './sqlite-read-model-store.js';

/**
 * Read models live in PostgreSQL wherever the deployment has one beside a shared store
 * (the postgres store, or KurrentDB with DATABASE_URL); in a SQLite file of DATA_DIR
 * otherwise, as the embedded mode's events do.
 */
export async function createReadModelStore(settings: Settings, logger: Logger): Promise<ReadModelStore> {
  if (settings.EVENT_STORE !== 'sqlite' && settings.DATABASE_URL) {
    return PostgresReadModelStore.open({
      connectionString: settings.DATABASE_URL,
      schema: settings.DATABASE_SCHEMA,
      logger,
    });
  }
  return new SqliteReadModelStore(join(settings.DATA_DIR, 'read-models.sqlite'));
}
