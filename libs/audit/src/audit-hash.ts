import { createHash, createHmac } from 'node:crypto';
import type { AuditKey } from './audit-key.js';
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

/**
 * HMAC-SHA256 under `key`: without the key nobody can compute a record's hash, so an edited
 * record cannot be re-hashed and a forged one cannot be chained. `key` null is the plain
 * SHA-256 of records written before the chain was keyed, kept to verify them.
 */
export function auditHash(seq: number, entry: AuditEntry, prevHash: string, key: AuditKey | null): string {
  const digest = key ? createHmac('sha256', key.secret) : createHash('sha256');
  return digest.update(prevHash).update('\n').update(canonicalContent(seq, entry)).digest('hex');
}

/** What chaining needs of the newest stored record. */
export type ChainTail = Pick<AuditRecord, 'seq' | 'hash' | 'keyId'>;

export const KEY_MARKER_RESOURCE = 'audit_key';

/** The marker a key's first record must be when the record before it was unkeyed or keyed otherwise. */
export const keyMarkerType = (previousKeyId: string | null): 'audit.chain_keyed' | 'audit.key_rotated' =>
  previousKeyId === null ? 'audit.chain_keyed' : 'audit.key_rotated';

export function isKeyMarker(record: AuditRecord, previousKeyId: string | null): boolean {
  return (
    record.eventType === keyMarkerType(previousKeyId) &&
    record.resourceType === KEY_MARKER_RESOURCE &&
    record.resourceId === record.keyId
  );
}

function keyMarker(tail: ChainTail, key: AuditKey, occurredAt: string): AuditEntry {
  return {
    occurredAt,
    eventType: keyMarkerType(tail.keyId),
    severity: 'medium',
    userId: null,
    ip: null,
    userAgent: null,
    requestId: null,
    correlationId: null,
    resourceType: KEY_MARKER_RESOURCE,
    resourceId: key.id,
    success: true,
    errorCode: null,
    message:
      tail.keyId === null
        ? `audit chain keyed with HMAC-SHA256 key ${key.id}; records 1-${tail.seq} were chained with plain SHA-256`
        : `audit key rotated from ${tail.keyId} to ${key.id}`,
  };
}

function linked(previous: ChainTail | null, entry: AuditEntry, key: AuditKey): AuditRecord {
  const seq = (previous?.seq ?? 0) + 1;
  const prevHash = previous?.hash ?? GENESIS_HASH;
  return { ...entry, seq, prevHash, hash: auditHash(seq, entry, prevHash, key), keyId: key.id };
}

/**
 * The records to store after `tail` (null: the log is empty) for `entry`, keyed with `key`.
 * When the tail was written unkeyed or with another key, a marker record comes first: the
 * switch is then visible in every export, and the verifier refuses a switch without one.
 */
export function chainNext(tail: ChainTail | null, entry: AuditEntry, key: AuditKey): AuditRecord[] {
  if (tail === null || tail.keyId === key.id) return [linked(tail, entry, key)];
  const marker = linked(tail, keyMarker(tail, key, entry.occurredAt), key);
  return [marker, linked(marker, entry, key)];
}
