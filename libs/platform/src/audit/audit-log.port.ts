import type { AuditEntry, AuditFilter, AuditRecord } from '#audit';

export interface AuditPage {
  /** Records with seq strictly greater than this. */
  readonly afterSeq: number;
  readonly limit: number;
  readonly filter?: AuditFilter;
}

/** Append-only, hash-chained audit log. Appends are serialised so the chain is linear. */
export interface AuditLog {
  readonly kind: string;
  append(entry: AuditEntry): Promise<AuditRecord>;
  /** One keyset page in seq order: export and verify walk the log with it, never all at once. */
  readPage(page: AuditPage): Promise<AuditRecord[]>;
  close(): Promise<void>;
}

/**
 * Every matching record in seq order, one page in memory at a time. The consumer pulls:
 * a slow or gone client stops the reads (breaking out of `for await` ends the generator).
 */
export async function* auditRecords(log: AuditLog, filter: AuditFilter = {}, batchSize = 1000): AsyncGenerator<AuditRecord> {
  let afterSeq = 0;
  for (;;) {
    const page = await log.readPage({ afterSeq, limit: batchSize, filter });
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < batchSize) return;
    afterSeq = last.seq;
  }
}
