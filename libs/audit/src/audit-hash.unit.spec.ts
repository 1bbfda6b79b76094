import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { auditHash, canonicalContent, chainNext } from './audit-hash.js';
import { auditKey } from './audit-key.js';
import { GENESIS_HASH, type AuditEntry, type AuditRecord } from './audit-record.js';

const KEY = auditKey('k'.repeat(32));
const NEXT_KEY = auditKey('n'.repeat(32));

const entry = (message: string): AuditEntry => ({
  occurredAt: '2026-01-01T00:00:00.000Z',
  eventType: 'auth.login_failed',
  severity: 'medium',
  userId: null,
  ip: '127.0.0.1',
  userAgent: 'jest',
  requestId: 'r1',
  correlationId: null,
  resourceType: null,
  resourceId: null,
  success: false,
  errorCode: 'TOKEN_INVALID',
  message,
});

describe('audit hash chain', () => {
  it('starts at the genesis hash and links each record to the one before, keyed', () => {
    const [first] = chainNext(null, entry('a'), KEY) as [AuditRecord];
    const [second] = chainNext(first, entry('b'), KEY) as [AuditRecord];
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, keyId: KEY.id });
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash, keyId: KEY.id });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('cannot be recomputed without the key: the plain SHA-256 and another key give other hashes', () => {
    const plain = createHash('sha256')
      .update(GENESIS_HASH)
      .update('\n')
      .update(canonicalContent(1, entry('a')))
      .digest('hex');
    expect(auditHash(1, entry('a'), GENESIS_HASH, null)).toBe(plain);
    expect(auditHash(1, entry('a'), GENESIS_HASH, KEY)).not.toBe(plain);
    expect(auditHash(1, entry('a'), GENESIS_HASH, KEY)).not.toBe(auditHash(1, entry('a'), GENESIS_HASH, NEXT_KEY));
  });

  it('gives keys ids that name them without revealing them', () => {
    expect(KEY.id).toMatch(/^[0-9a-f]{16}$/);
    expect(KEY.id).not.toBe(NEXT_KEY.id);
    expect(auditKey('k'.repeat(32)).id).toBe(KEY.id);
  });

  it('puts a chain_keyed marker before the first keyed record after unkeyed ones', () => {
    const legacy = { seq: 7, hash: 'a'.repeat(64), keyId: null };
    const [marker, record] = chainNext(legacy, entry('after the upgrade'), KEY) as [AuditRecord, AuditRecord];
    expect(marker).toMatchObject({
      seq: 8,
      prevHash: legacy.hash,
      eventType: 'audit.chain_keyed',
      resourceType: 'audit_key',
      resourceId: KEY.id,
      keyId: KEY.id,
    });
    expect(marker.message).toContain('records 1-7');
    expect(record).toMatchObject({ seq: 9, prevHash: marker.hash, message: 'after the upgrade', keyId: KEY.id });
  });

  it('puts a key_rotated marker before the first record of a new key', () => {
    const [first] = chainNext(null, entry('a'), KEY) as [AuditRecord];
    const records = chainNext(first, entry('b'), NEXT_KEY);
    expect(records.map((r) => [r.seq, r.eventType, r.keyId])).toEqual([
      [2, 'audit.key_rotated', NEXT_KEY.id],
      [3, 'auth.login_failed', NEXT_KEY.id],
    ]);
    expect(records[0]?.message).toBe(`audit key rotated from ${KEY.id} to ${NEXT_KEY.id}`);
  });
});
