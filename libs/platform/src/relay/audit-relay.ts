import { interval, startWith } from 'rxjs';
import { auditSubjectOf, toAuditCloudEvent, type AuditRecord } from '#audit';
import type { AuditLog } from '../audit/audit-log.port.js';
import type { Logger } from '../logging/logger.js';
import { JetStreamRelay } from './jetstream-relay.js';
import type { RelaySource } from './relay-source.js';

export interface AuditRelayOptions {
  readonly servers: string;
  readonly audit: AuditLog;
  readonly logger: Logger;
  /** JetStream stream, `AUDIT` in production. */
  readonly streamName: string;
  /** Subjects are `<prefix>.<area>.<what>`, e.g. audit.auth.login_failed. */
  readonly subjectPrefix: string;
  /** The audit log has no live subscription: how often to look for new records. */
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
}

export type AuditRelay = JetStreamRelay<AuditRecord>;

/** Every audit record in seq order, as CloudEvents JSON, for SIEMs and other consumers on NATS. */
export function auditLogSource(audit: AuditLog, pollIntervalMs: number): RelaySource<AuditRecord> {
  return {
    read: async (after, max) => {
      const batches = audit.read({}, max, after);
      try {
        const first = await batches.next();
        return first.done ? [] : first.value;
      } finally {
        await batches.return(undefined);
      }
    },
    wake$: interval(pollIntervalMs).pipe(startWith(0)),
    subject: auditSubjectOf,
    message: toAuditCloudEvent,
  };
}

/** The audit trail on NATS: the AUDIT stream. */
export const AuditRelay = {
  start: ({ audit, pollIntervalMs = 1000, ...options }: AuditRelayOptions): Promise<AuditRelay> =>
    JetStreamRelay.start({ ...options, source: auditLogSource(audit, pollIntervalMs) }),
};
