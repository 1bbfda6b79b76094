import { createHmac } from 'node:crypto';

/** An HMAC-SHA256 key of the audit chain. `id` names it in records and checkpoints without revealing it. */
export interface AuditKey {
  readonly id: string;
  readonly secret: string;
}

/**
 * The key new records are chained with, and the keys it replaced, oldest first. Older keys
 * only verify: a record keyed with one of them may not follow a record keyed with a newer
 * one, so a leaked retired key cannot forge records at the end of the chain.
 */
export interface AuditKeyring {
  readonly current: AuditKey;
  readonly previous: readonly AuditKey[];
}

/** The id is a MAC of a fixed label, so it identifies the key and cannot be turned back into it. */
export function auditKey(secret: string): AuditKey {
  return { id: createHmac('sha256', secret).update('cidadao-audit-key-id').digest('hex').slice(0, 16), secret };
}

export function auditKeyring(current: string, previous: readonly string[] = []): AuditKeyring {
  return { current: auditKey(current), previous: previous.map(auditKey) };
}

/** Position of a key in rotation order (0 = oldest), or -1 when the ring does not hold it. */
export function keyRank(ring: AuditKeyring, keyId: string): number {
  const keys = [...ring.previous, ring.current];
  return keys.findIndex((key) => key.id === keyId);
}

export function keyById(ring: AuditKeyring, keyId: string): AuditKey | undefined {
  return [...ring.previous, ring.current].find((key) => key.id === keyId);
}
