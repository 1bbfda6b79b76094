import type { AuditFilter, AuditRecord, AuditEventType, Severity } from '#audit';

/** Column order of every SELECT and INSERT; rows are read as arrays in this order. */
export const AUDIT_COLUMN_NAMES = [
  'seq',
  'occurred_at',
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
  'key_id',
] as const;

export const AUDIT_COLUMNS = AUDIT_COLUMN_NAMES.join(', ');

/** Placeholders of one INSERT row, e.g. `$1, $2` or `?, ?`. */
export const auditPlaceholders = (placeholder: (index: number) => string): string =>
  AUDIT_COLUMN_NAMES.map((_, i) => placeholder(i + 1)).join(', ');

type Cell = string | number | boolean | null;
const text = (cell: Cell | undefined): string | null => (cell === null || cell === undefined ? null : String(cell));

/**
 * A row read in array mode (both drivers parse arrays faster than keyed objects, which
 * counts at a million rows). The table is only written through append(), which takes
 * these types, so the casts hold.
 */
export function fromAuditRow(row: readonly Cell[]): AuditRecord {
  return {
    seq: Number(row[0]),
    occurredAt: String(row[1]),
    eventType: row[2] as AuditEventType,
    severity: row[3] as Severity,
    userId: text(row[4]),
    ip: text(row[5]),
    userAgent: text(row[6]),
    requestId: text(row[7]),
    correlationId: text(row[8]),
    resourceType: text(row[9]),
    resourceId: text(row[10]),
    success: row[11] === true || row[11] === 1,
    errorCode: text(row[12]),
    message: String(row[13]),
    prevHash: String(row[14]),
    hash: String(row[15]),
    keyId: text(row[16]),
  };
}

export function toAuditValues(record: AuditRecord, successValue: (ok: boolean) => boolean | number): unknown[] {
  return [
    record.seq,
    record.occurredAt,
    record.eventType,
    record.severity,
    record.userId,
    record.ip,
    record.userAgent,
    record.requestId,
    record.correlationId,
    record.resourceType,
    record.resourceId,
    successValue(record.success),
    record.errorCode,
    record.message,
    record.prevHash,
    record.hash,
    record.keyId,
  ];
}

/**
 * WHERE clause of a read; `param(value)` returns the driver's placeholder. occurred_at is
 * an ISO-8601 UTC string in both adapters, so text comparison is time order.
 */
export function auditWhere(filter: AuditFilter, param: (value: unknown) => string, afterSeq?: number): string {
  const clauses = afterSeq === undefined ? ['TRUE'] : [`seq > ${param(afterSeq)}`];
  if (filter.startDate !== undefined) clauses.push(`occurred_at >= ${param(filter.startDate)}`);
  if (filter.endDate !== undefined) clauses.push(`occurred_at <= ${param(filter.endDate)}`);
  if (filter.severity !== undefined) clauses.push(`severity = ${param(filter.severity)}`);
  if (filter.eventType !== undefined)
    clauses.push(`substr(event_type, 1, ${param(filter.eventType.length)}) = ${param(filter.eventType)}`);
  if (filter.userId !== undefined) clauses.push(`user_id = ${param(filter.userId)}`);
  return clauses.join(' AND ');
}
