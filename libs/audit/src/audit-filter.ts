import type { AuditRecord, Severity } from './audit-record.js';

/** Export/query filter; every field optional, all given fields must match. */
export interface AuditFilter {
  readonly startDate?: string;
  readonly endDate?: string;
  readonly severity?: Severity;
  /** Prefix of the dotted event type: `auth.` or `auth.login_failed`. */
  readonly eventType?: string;
  readonly userId?: string;
}

/** Same semantics as the adapters' SQL; used where records are already in memory. */
export function matchesAuditFilter(record: AuditRecord, filter: AuditFilter): boolean {
  if (filter.startDate !== undefined && record.occurredAt < filter.startDate) return false;
  if (filter.endDate !== undefined && record.occurredAt > filter.endDate) return false;
  if (filter.severity !== undefined && record.severity !== filter.severity) return false;
  if (filter.eventType !== undefined && !record.eventType.startsWith(filter.eventType)) return false;
  if (filter.userId !== undefined && record.userId !== filter.userId) return false;
  return true;
}
