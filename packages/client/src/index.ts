export * from './backoff.js';
export * from './cidadao-client.js';
export * from './client-errors.js';
export * from './resumable-stream.js';
export * from './sse-parser.js';
export * from './streams.js';
export * from './token-source.js';
export * from './transports/socket-io.js';
export * from './transports/sse.js';
export * from './transports/websocket.js';
export type * from './wire-types.generated.js';
/** One record of GET /api/v1/audit/export?format=ndjson. */
export type { AuditRecord as AuditExportRecord } from './wire-types.generated.js';
