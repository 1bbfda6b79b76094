import type { AuditRecord } from './audit-record.js';
import { CLOUD_EVENT_TYPE_PREFIX } from './cloud-event.js';

/** The wire names of an audit record (export CSV header and JSON keys, the audit feed's data). */
export const AUDIT_WIRE_COLUMNS = [
  'seq',
  'timestamp',
  'event_type',
  'severity',
  'user_id',
  'ip',
  'user_agent',
  'request_id',
  'correlation_id',
  'resource_type',
  'resource_id',
  'success',
  'error_code',
  'message',
  'prev_hash',
  'hash',
] as const;

export type AuditRecordWire = Record<(typeof AUDIT_WIRE_COLUMNS)[number], string | number | boolean | null>;

export function auditRecordWire(record: AuditRecord): AuditRecordWire {
  return {
    seq: record.seq,
    timestamp: record.occurredAt,
    event_type: record.eventType,
    severity: record.severity,
    user_id: record.userId,
    ip: record.ip,
    user_agent: record.userAgent,
    request_id: record.requestId,
    correlation_id: record.correlationId,
    resource_type: record.resourceType,
    resource_id: record.resourceId,
    success: record.success,
    error_code: record.errorCode,
    message: record.message,
    prev_hash: record.prevHash,
    hash: record.hash,
  };
}

/** An audit record on the audit feed (JetStream `AUDIT`): CloudEvents 1.0, `position` = seq. */
export interface AuditCloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: '/cidadao-ai/audit';
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: AuditRecordWire;
  readonly position: number;
  readonly correlationid: string | null;
  readonly userid: string | null;
  /** How `data.hash` was made: HMAC-SHA256 under the key `keyid`, or plain SHA-256 for records older than the key. */
  readonly hashalg: 'hmac-sha256' | 'sha256';
  readonly keyid: string | null;
}

export function toAuditCloudEvent(record: AuditRecord): AuditCloudEvent {
  return {
    specversion: '1.0',
    // The hash makes the id unique across logs that restarted from seq 1.
    id: `audit-${record.seq}-${record.hash.slice(0, 16)}`,
    source: '/cidadao-ai/audit',
    type: `${CLOUD_EVENT_TYPE_PREFIX}.audit.${record.eventType}`,
    subject: record.resourceType === null ? 'audit_log' : `${record.resourceType}/${record.resourceId ?? ''}`,
    time: record.occurredAt,
    datacontenttype: 'application/json',
    data: auditRecordWire(record),
    position: record.seq,
    correlationid: record.correlationId,
    userid: record.userId,
    hashalg: record.keyId === null ? 'sha256' : 'hmac-sha256',
    keyid: record.keyId,
  };
}

/** `<area>.<what>` of the event type as subject tokens, e.g. auth.login_failed. */
export const auditSubjectOf = (record: Pick<AuditRecord, 'eventType'>): string =>
  record.eventType.replace(/[*>\s]/g, '_');
