import { createHash } from 'node:crypto';
import { GENESIS_HASH, type AuditEntry, type AuditRecord } from './audit-record.js';

/**
 * Fixed key order and explicit nulls: the same record always hashes the same, whatever
 * order a database driver returns its columns in. `seq` is hashed so records cannot be
 * reordered or removed without breaking the chain.
 */
export function canonicalContent(seq: number, entry: AuditEntry): string {
  return JSON.stringify([
    seq,
    entry.occurredAt,
    entry.eventType,
    entry.severity,
    entry.userId,
    entry.ip,
    entry.userAgent,
    entry.requestId,
    entry.correlationId,
    entry.resourceType,
    entry.resourceId,
    entry.success,
    entry.errorCode,
    entry.message,
  ]);
}

export function auditHash(seq: number, entry: AuditEntry, prevHash: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalContent(seq, entry)).digest('hex');
}

/** The record that follows `previous` (null: the first record). */
export function chainNext(previous: Pick<AuditRecord, 'seq' | 'hash'> | null, entry: AuditEntry): AuditRecord {
  const seq = (previous?.seq ?? 0) + 1;
  const prevHash = previous?.hash ?? GENESIS_HASH;
  return { ...entry, seq, prevHash, hash: auditHash(seq, entry, prevHash) };
}

export type BrokenLinkReason = 'content_altered' | 'prev_hash_mismatch' | 'sequence_gap';

export interface BrokenLink {
  readonly seq: number;
  readonly reason: BrokenLinkReason;
  readonly expected: string;
  readonly actual: string;
}

/** Where verification stands after some records; fold records through `checkLink`. */
export interface ChainCursor {
  readonly seq: number;
  readonly hash: string;
}

export const CHAIN_START: ChainCursor = { seq: 0, hash: GENESIS_HASH };

/** The first reason `record` does not follow `cursor`, or null when the link holds. */
export function checkLink(cursor: ChainCursor, record: AuditRecord): BrokenLink | null {
  if (record.seq !== cursor.seq + 1) {
    return { seq: record.seq, reason: 'sequence_gap', expected: String(cursor.seq + 1), actual: String(record.seq) };
  }
  if (record.prevHash !== cursor.hash) {
    return { seq: record.seq, reason: 'prev_hash_mismatch', expected: cursor.hash, actual: record.prevHash };
  }
  const recomputed = auditHash(record.seq, record, record.prevHash);
  if (recomputed !== record.hash) return { seq: record.seq, reason: 'content_altered', expected: recomputed, actual: record.hash };
  return null;
}

export interface ChainVerdict {
  readonly valid: boolean;
  readonly checked: number;
  readonly firstBroken: BrokenLink | null;
}

/** Walks records in seq order (batches from a cursor) and stops at the first broken link. */
export async function verifyChain(records: AsyncIterable<AuditRecord>): Promise<ChainVerdict> {
  let cursor = CHAIN_START;
  let checked = 0;
  for await (const record of records) {
    const broken = checkLink(cursor, record);
    if (broken) return { valid: false, checked, firstBroken: broken };
    cursor = { seq: record.seq, hash: record.hash };
    checked++;
  }
  return { valid: true, checked, firstBroken: null };
}
