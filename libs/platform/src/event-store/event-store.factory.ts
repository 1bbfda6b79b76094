import type { Logger } from '../logging/logger.js';
import type { EventStore } from '#eventsourcing';
import { KurrentDbEventStore } from './kurrentdb/kurrentdb-event-store.js';
import { PostgresEventStore } from './postgres/postgres-event-store.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.js';

export interface EventStoreConfig {
  readonly kind: 'sqlite' | 'postgres' | 'kurrentdb';
  readonly sqliteFile?: string;
  readonly databaseUrl?: string;
  /** Default 'public'. */
  readonly postgresSchema?: string;
  readonly kurrentdbUrl?: string;
  readonly logger?: Logger;
}

/** Opens the configured adapter, ready to use: PostgreSQL migrations have run. */
export async function createEventStore(config: EventStoreConfig): Promise<EventStore> {
  switch (config.kind) {
    case 'sqlite':
      return new SqliteEventStore({ filename: required(config.sqliteFile, 'sqliteFile', config.kind) });
    case 'postgres':
      return PostgresEventStore.open({
        connectionString: required(config.databaseUrl, 'databaseUrl (DATABASE_URL)', config.kind),
        schema: config.postgresSchema ?? 'public',
        ...(config.logger ? { logger: config.logger } : {}),
      });
    case 'kurrentdb':
      return KurrentDbEventStore.open({
        connectionString: required(config.kurrentdbUrl, 'kurrentdbUrl (KURRENTDB_URL)', config.kind),
        ...(config.logger ? { logger: config.logger } : {}),
      });
    default: {
      const kind: never = config.kind;
      throw new Error(`unknown event store kind: ${String(kind)}`);
    }
  }
}

function required(value: string | undefined, option: string, kind: string): string {
  if (!value) throw new Error(`event store '${kind}' needs ${option}, which is not set`);
  return value;
}
