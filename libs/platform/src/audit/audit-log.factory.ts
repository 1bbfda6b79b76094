import { join } from 'node:path';
import type { AuditKey } from '#audit';
import type { StorageSettings } from '../config/settings-sections.js';
import type { Logger } from '../logging/logger.js';
import type { AuditLog } from './audit-log.port.js';
import { PostgresAuditLog } from './postgres-audit-log.js';
import { SqliteAuditLog } from './sqlite-audit-log.js';

/**
 * Beside the event store: PostgreSQL whenever DATABASE_URL is set and the store is not the
 * embedded SQLite (so EVENT_STORE=kurrentdb with DATABASE_URL shares it across processes),
 * otherwise a SQLite file audit.sqlite in DATA_DIR. `key` chains the records appended.
 */
export async function createAuditLog(storage: StorageSettings, key: AuditKey, logger?: Logger): Promise<AuditLog> {
  if (storage.eventStore !== 'sqlite' && storage.databaseUrl) {
    return PostgresAuditLog.open({
      connectionString: storage.databaseUrl,
      schema: storage.databaseSchema,
      key,
      ...(logger ? { logger } : {}),
    });
  }
  return new SqliteAuditLog(join(storage.dataDir, 'audit.sqlite'), key);
}
