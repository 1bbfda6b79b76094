export * from './audit-log.errors.js';
export * from './audit-log.port.js';
export * from './audit-log.factory.js';
export { PostgresAuditLog } from './postgres-audit-log.js';
export { SqliteAuditLog } from './sqlite-audit-log.js';
export * from './audit-anchor.js';
export * from './audit-checkpoints.js';
export * from './audit-keyring.source.js';
