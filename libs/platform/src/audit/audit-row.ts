import type { AuditFilter, AuditRecord, AuditEventType, Severity } from '#audit';

/** Column names as both adapters store them. */
export interface AuditRow {
  readonly seq: number | string;
  readonly occurred_at: string;
  readonly event_type: string;
  readonly severity: string;
  readonly user_id: string | null;
  readonly ip: string | null;
  readonly user_agent: string | null;
  readonly request_id: string | null;
  readonly correlation_id: string | null;
  readonly resource_type: string | null;
  readonly resource_id: string | null;
  readonly success: boolean | number;
  readonly error_code: string | null;
  readonly message: string;
  readonly prev_hash: string;
  readonly hash: string;
}

export const AUDIT_COLUMNS =
  'seq, occurred_at, event_type, severity, user_id, ip, user_agent, request_id, correlation_id, resource_type, resource_id, success, error_code, message, prev_hash, hash';

export function fromAuditRow(row: AuditRow): AuditRecord {
  return {
    seq: Number(row.seq),
    occurredAt: row.occurred_at,
    // The table is only written through append(), which takes these types.
    eventType: row.event_type as AuditEventType,
    severity: row.severity as Severity,
    userId: row.user_id,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    correlationId: row.correlation_id,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    success: row.success === true || row.success === 1,
    errorCode: row.error_code,
    message: row.message,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export function toAuditValues(record: AuditRecord, successValue: (ok: boolean) => boolean | number): unknown[] {
  return [
    record.seq, record.occurredAt, record.eventType, record.severity, record.userId, record.ip, record.userAgent,
    record.requestId, record.correlationId, record.resourceType, record.resourceId, successValue(record.success),
    record.errorCode, record.message, record.prevHash, record.hash,
  ];
}

/**
 * WHERE clause for a page; `param(value)` returns the driver's placeholder. occurred_at is
 * an ISO-8601 UTC string in both adapters, so text comparison is time order.
 */
export function auditWhere(afterSeq: number, filter: AuditFilter, param: (value: unknown) => string): string {
  const clauses = [`seq > ${param(afterSeq)}`];
  if (filter.startDate !== undefined) clauses.push(`occurred_at >= ${param(filter.startDate)}`);
  if (filter.endDate !== undefined) clauses.push(`occurred_at <= ${param(filter.endDate)}`);
  if (filter.severity !== undefined) clauses.push(`severity = ${param(filter.severity)}`);
  if (filter.eventType !== undefined) clauses.push(`substr(event_type, 1, ${param(filter.eventType.length)}) = ${param(filter.eventType)}`);
  if (filter.userId !== undefined) clauses.push(`user_id = ${param(filter.userId)}`);
  return clauses.join(' AND ');
}
