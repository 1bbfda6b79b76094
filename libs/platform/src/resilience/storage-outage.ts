import { AuditLogUnavailableError } from '../audit/audit-log.errors.js';
import { EventStoreUnavailableError } from '#eventsourcing';

/**
 * The event store or the audit log could not be reached: nothing is wrong with the work
 * that failed, it can be done again once the database answers.
 */
export const isStorageOutage = (error: unknown): boolean =>
  error instanceof EventStoreUnavailableError || error instanceof AuditLogUnavailableError;
