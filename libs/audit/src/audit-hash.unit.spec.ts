import { describe, expect, it } from '@jest/globals';
import { chainNext, verifyChain } from './audit-hash.js';
import { GENESIS_HASH, type AuditEntry, type AuditRecord } from './audit-record.js';

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

function chain(count: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (let i = 0; i < count; i++) records.push(chainNext(records.at(-1) ?? null, entry(`m${i}`)));
  return records;
}

async function* iterate(records: readonly AuditRecord[]): AsyncIterable<AuditRecord> {
  yield* records;
}

describe('audit hash chain', () => {
  it('starts at the genesis hash and links each record to the one before', () => {
    const [first, second] = chain(2);
    expect(first?.prevHash).toBe(GENESIS_HASH);
    expect(second?.prevHash).toBe(first?.hash);
    expect(first?.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies an intact chain', async () => {
    expect(await verifyChain(iterate(chain(5)))).toEqual({ valid: true, checked: 5, firstBroken: null });
  });

  it('reports the altered record as the first broken link', async () => {
    const records = chain(5);
    records[2] = { ...records[2]!, message: 'edited' };
    const verdict = await verifyChain(iterate(records));
    expect(verdict).toMatchObject({ valid: false, checked: 2, firstBroken: { seq: 3, reason: 'content_altered' } });
  });

  it('reports a removed record as a sequence gap', async () => {
    const records = chain(4);
    records.splice(1, 1);
    expect((await verifyChain(iterate(records))).firstBroken).toMatchObject({ seq: 3, reason: 'sequence_gap' });
  });

  it('reports a rehashed record whose successor still points at the old hash', async () => {
    const records = chain(3);
    const edited = { ...entry('edited') };
    records[1] = chainNext(records[0]!, edited);
    expect((await verifyChain(iterate(records))).firstBroken).toMatchObject({ seq: 3, reason: 'prev_hash_mismatch' });
  });
});
