import { createHmac, timingSafeEqual } from 'node:crypto';
import { keyById, type AuditKey, type AuditKeyring } from './audit-key.js';

/**
 * Checkpoints live in the event store, outside the audit table: whoever can rewrite the
 * table cannot also move its anchor, and without the key cannot forge one.
 */
export const AUDIT_CHECKPOINTS_STREAM = 'audit-checkpoints';

/** The head of the audit chain at `at`, signed. */
export interface AuditCheckpointData {
  /** The newest record anchored. */
  readonly seq: number;
  /** Its hash. */
  readonly hash: string;
  /** Records anchored; seq is contiguous from 1, so it equals seq (kept as a separate, signed fact). */
  readonly count: number;
  readonly at: string;
  /** The first keyed seq (records before it predate the key); null while the chain has no keyed record. */
  readonly keyedFrom: number | null;
  /** The key of `mac`. */
  readonly keyId: string;
  /** HMAC-SHA256 of every other field. */
  readonly mac: string;
}

export interface AuditCheckpointed {
  readonly type: 'AuditCheckpointed';
  readonly data: AuditCheckpointData;
}

type Unsigned = Omit<AuditCheckpointData, 'keyId' | 'mac'>;

function macOf(fields: Unsigned, key: AuditKey): string {
  const content = JSON.stringify([
    'audit-checkpoint',
    fields.seq,
    fields.hash,
    fields.count,
    fields.at,
    fields.keyedFrom,
    key.id,
  ]);
  return createHmac('sha256', key.secret).update(content).digest('hex');
}

export function signCheckpoint(fields: Unsigned, key: AuditKey): AuditCheckpointData {
  return { ...fields, keyId: key.id, mac: macOf(fields, key) };
}

/** True when a key of the ring signed exactly these fields. */
export function checkpointAuthentic(checkpoint: AuditCheckpointData, ring: AuditKeyring): boolean {
  const key = keyById(ring, checkpoint.keyId);
  if (!key) return false;
  const expected = Buffer.from(macOf(checkpoint, key), 'hex');
  const actual = Buffer.from(checkpoint.mac, 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

const int = (value: unknown): number => (Number.isSafeInteger(value) ? (value as number) : 0);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The checkpoint a stored event carries, or null for another event type. A malformed
 * checkpoint is read as far as it goes: its MAC then fails, and verification says so
 * instead of throwing.
 */
export function auditCheckpointOf(event: {
  readonly type: string;
  readonly data: unknown;
}): AuditCheckpointData | null {
  if (event.type !== 'AuditCheckpointed') return null;
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<string, unknown>;
  return {
    seq: int(data.seq),
    hash: text(data.hash),
    count: int(data.count),
    at: text(data.at),
    keyedFrom: data.keyedFrom === null ? null : int(data.keyedFrom),
    keyId: text(data.keyId),
    mac: text(data.mac),
  };
}
