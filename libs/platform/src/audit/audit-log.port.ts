import type { AuditEntry, AuditFilter, AuditRecord } from '#audit';

export interface AuditAppendOptions {
  /**
   * Names the fact, so that recording it again (a retried command, an append whose commit
   * was not confirmed) returns the record already written instead of writing a second one.
   */
  readonly dedupeKey?: string;
}

/** Append-only audit log, chained with HMAC-SHA256. Appends are serialised so the chain is linear. */
export interface AuditLog {
  readonly kind: string;
  append(entry: AuditEntry, options?: AuditAppendOptions): Promise<AuditRecord>;
  /**
   * Every record matching `filter`, in seq order, `batchSize` records at a time from a
   * cursor: export and verify walk the log with it, never holding more than one batch.
   * Returning early (a client gone mid-export) closes the cursor. `afterSeq`: records after
   * that one only (the audit relay's checkpoint).
   */
  read(filter?: AuditFilter, batchSize?: number, afterSeq?: number): AsyncGenerator<readonly AuditRecord[]>;
  /** Resolves when the log answers (readiness); rejects with AuditLogUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_AUDIT_BATCH = 1000;

/** One record at a time, for consumers that fold records (verification, tests); `afterSeq` as in read(). */
export async function* auditRecords(
  log: AuditLog,
  filter: AuditFilter = {},
  batchSize = DEFAULT_AUDIT_BATCH,
  afterSeq?: number,
): AsyncGenerator<AuditRecord> {
  for await (const batch of log.read(filter, batchSize, afterSeq)) yield* batch;
}
