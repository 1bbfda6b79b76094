import { auditHash, isKeyMarker } from './audit-hash.js';
import { keyById, keyRank, type AuditKeyring } from './audit-key.js';
import { GENESIS_HASH, type AuditRecord } from './audit-record.js';

/** Why verification stopped; `seq` of a BrokenLink is the first record that is not as it was written. */
export type BrokenLinkReason =
  /** A record is missing or was renumbered: `seq` is the number that should come next. */
  | 'sequence_gap'
  /** A record does not point at the one before it: reordered, swapped or inserted. */
  | 'prev_hash_mismatch'
  /** The record no longer hashes to its `hash`: edited, or re-hashed without the key. */
  | 'content_altered'
  /** Chained with plain SHA-256 where the chain is keyed: forged with the pre-key formula. */
  | 'unkeyed_record'
  /** Keyed with a key this server does not hold: forged, or the key left the keyring. */
  | 'unknown_key'
  /** Keyed with a key older than the record before it: a retired key must not write again. */
  | 'retired_key'
  /** The key changes without the marker record that announces it. */
  | 'unmarked_key_change'
  /** A checkpoint's MAC does not verify, or checkpoints are out of order: the anchor itself was forged. */
  | 'checkpoint_invalid'
  /** The record at a checkpoint's seq is not the one anchored: the log was replaced (a rollback written over). */
  | 'checkpoint_mismatch'
  /** Records a checkpoint anchored are missing from the end: truncated, or an older copy restored. */
  | 'truncated'
  /** Every record is gone although checkpoints anchored some. */
  | 'emptied';

export interface BrokenLink {
  readonly seq: number;
  readonly reason: BrokenLinkReason;
  readonly expected: string;
  readonly actual: string;
}

/** Where verification stands: the last record accepted. */
export interface ChainCursor {
  readonly seq: number;
  readonly hash: string;
  readonly keyId: string | null;
}

export const CHAIN_START: ChainCursor = { seq: 0, hash: GENESIS_HASH, keyId: null };

export const brokenLink = (
  seq: number,
  reason: BrokenLinkReason,
  expected: string | number,
  actual: string | number | null,
): BrokenLink => ({
  seq,
  reason,
  expected: String(expected),
  actual: String(actual),
});

function checkPlace(cursor: ChainCursor, record: AuditRecord): BrokenLink | null {
  if (record.seq !== cursor.seq + 1) return brokenLink(cursor.seq + 1, 'sequence_gap', cursor.seq + 1, record.seq);
  if (record.prevHash !== cursor.hash)
    return brokenLink(record.seq, 'prev_hash_mismatch', cursor.hash, record.prevHash);
  return null;
}

/**
 * `keyedFrom`: the first keyed seq as the checkpoints attest it; an unkeyed record at or
 * after it is forged even when the whole table was rewritten unkeyed.
 */
function checkKey(
  cursor: ChainCursor,
  record: AuditRecord,
  ring: AuditKeyring,
  keyedFrom: number | null,
): BrokenLink | null {
  if (record.keyId === null) {
    const keyedBefore = cursor.keyId !== null || (keyedFrom !== null && record.seq >= keyedFrom);
    return keyedBefore
      ? brokenLink(
          record.seq,
          'unkeyed_record',
          `HMAC-SHA256 with key ${cursor.keyId ?? 'of the ring'}`,
          'plain SHA-256',
        )
      : null;
  }
  const rank = keyRank(ring, record.keyId);
  if (rank < 0) return brokenLink(record.seq, 'unknown_key', 'a key of the keyring', record.keyId);
  if (cursor.keyId !== null && rank < keyRank(ring, cursor.keyId))
    return brokenLink(record.seq, 'retired_key', `${cursor.keyId} or a newer key`, record.keyId);
  return null;
}

function checkContent(cursor: ChainCursor, record: AuditRecord, ring: AuditKeyring): BrokenLink | null {
  const key = record.keyId === null ? null : (keyById(ring, record.keyId) ?? null);
  const recomputed = auditHash(record.seq, record, record.prevHash, key);
  if (recomputed !== record.hash) return brokenLink(record.seq, 'content_altered', recomputed, record.hash);
  const switched = cursor.seq > 0 && record.keyId !== cursor.keyId;
  if (switched && !isKeyMarker(record, cursor.keyId))
    return brokenLink(record.seq, 'unmarked_key_change', `a key marker record for ${record.keyId}`, record.eventType);
  return null;
}

/** The first reason `record` does not follow `cursor`, or null when the link holds. */
export function checkLink(
  cursor: ChainCursor,
  record: AuditRecord,
  ring: AuditKeyring,
  keyedFrom: number | null = null,
): BrokenLink | null {
  return checkPlace(cursor, record) ?? checkKey(cursor, record, ring, keyedFrom) ?? checkContent(cursor, record, ring);
}
