import { describe, expect, it } from '@jest/globals';
import { auditHash, chainNext } from './audit-hash.js';
import { signCheckpoint, type AuditCheckpointData } from './audit-checkpoint.js';
import { auditKey, type AuditKey, type AuditKeyring } from './audit-key.js';
import { auditEntry, GENESIS_HASH, type AuditRecord } from './audit-record.js';
import { verifyAuditChain, verifyChainSince } from './audit-verify.js';

const OLD = auditKey('o'.repeat(32));
const KEY = auditKey('k'.repeat(32));
const RING: AuditKeyring = { current: KEY, previous: [OLD] };
const entry = (n: number) =>
  auditEntry({
    occurredAt: `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}.000Z`,
    eventType: 'auth.login_failed',
    severity: 'medium',
    success: false,
    message: `record ${n}`,
  });

/** Appends `count` records to `records` with `key`, as an adapter does (markers included). */
function append(records: AuditRecord[], count: number, key: AuditKey = KEY): AuditRecord[] {
  for (let i = 0; i < count; i++) records.push(...chainNext(records.at(-1) ?? null, entry(records.length + 1), key));
  return records;
}

/** Records as written before the chain was keyed: plain SHA-256, no key id. */
function legacy(count: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const prevHash = records.at(-1)?.hash ?? GENESIS_HASH;
    records.push({ ...entry(seq), seq, prevHash, hash: auditHash(seq, entry(seq), prevHash, null), keyId: null });
  }
  return records;
}

const checkpointAt = (
  records: readonly AuditRecord[],
  seq: number,
  keyedFrom: number | null = 1,
  key = KEY,
): AuditCheckpointData => {
  const record = records.find((r) => r.seq === seq);
  if (!record) throw new Error(`no record ${seq}`);
  return signCheckpoint({ seq, hash: record.hash, count: seq, at: '2026-01-02T00:00:00.000Z', keyedFrom }, key);
};

/** The first `kept` records, then `count` new ones: an older copy restored and written on. */
function rolledBack(records: readonly AuditRecord[], kept: number, count: number): AuditRecord[] {
  const table = records.slice(0, kept);
  for (let i = 0; i < count; i++)
    table.push(
      ...chainNext(table.at(-1) ?? null, { ...entry(table.length + 1), message: 'written after the rollback' }, KEY),
    );
  return table;
}

async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

const verify = (records: readonly AuditRecord[], checkpoints: readonly AuditCheckpointData[] = [], ring = RING) =>
  verifyAuditChain(iterate(records), iterate(checkpoints), ring, checkpoints.at(-1) ?? null);

describe('verifyAuditChain', () => {
  it('accepts an intact keyed chain and an empty log that was never anchored', async () => {
    const records = append([], 6);
    expect(await verify(records, [checkpointAt(records, 3), checkpointAt(records, 6)])).toMatchObject({
      valid: true,
      checked: 6,
      firstBroken: null,
    });
    expect(await verify([])).toEqual({
      valid: true,
      checked: 0,
      firstBroken: null,
      latestCheckpoint: null,
      anchoredThrough: 0,
    });
  });

  it('reports records cut from the end, and all of them, against the checkpoint', async () => {
    const records = append([], 6);
    const anchors = [checkpointAt(records, 6)];
    expect((await verify(records.slice(0, 4), anchors)).firstBroken).toMatchObject({ seq: 5, reason: 'truncated' });
    expect((await verify([], anchors)).firstBroken).toMatchObject({ seq: 1, reason: 'emptied' });
    // The latest checkpoint alone suffices when the stream read yields none.
    expect(
      (await verifyAuditChain(iterate(records.slice(0, 4)), iterate([]), RING, anchors[0] ?? null)).firstBroken,
    ).toMatchObject({ seq: 5, reason: 'truncated' });
  });

  it('reports a record re-hashed without the key, and one forged with the pre-key formula', async () => {
    const records = append([], 4);
    const last = records[3] as AuditRecord;
    const edited = { ...last, message: 'edited' };
    records[3] = { ...edited, hash: auditHash(4, edited, edited.prevHash, null) };
    expect((await verify(records)).firstBroken).toMatchObject({ seq: 4, reason: 'content_altered' });
    const intact = append([], 4);
    const forged = {
      ...entry(5),
      seq: 5,
      prevHash: intact[3]?.hash ?? '',
      hash: auditHash(5, entry(5), intact[3]?.hash ?? '', null),
      keyId: null,
    };
    expect((await verify([...intact, forged])).firstBroken).toMatchObject({ seq: 5, reason: 'unkeyed_record' });
  });

  it('reports a key outside the ring, a retired key writing again and a key change without its marker', async () => {
    const stranger = auditKey('s'.repeat(32));
    expect((await verify(append([], 3, stranger))).firstBroken).toMatchObject({
      seq: 1,
      reason: 'unknown_key',
      actual: stranger.id,
    });
    const rotated = append(append([], 2, OLD), 2, KEY);
    const again = chainNext(rotated.at(-1) ?? null, entry(9), OLD);
    expect((await verify([...rotated, ...again])).firstBroken).toMatchObject({ seq: 6, reason: 'retired_key' });
    const unmarked = append([], 2, OLD);
    const prev = unmarked[1] as AuditRecord;
    unmarked.push({
      ...entry(3),
      seq: 3,
      prevHash: prev.hash,
      hash: auditHash(3, entry(3), prev.hash, KEY),
      keyId: KEY.id,
    });
    expect((await verify(unmarked)).firstBroken).toMatchObject({ seq: 3, reason: 'unmarked_key_change' });
  });

  it('continues the chain across a key rotation, and needs the retired key to verify what it wrote', async () => {
    const records = append(append([], 3, OLD), 3, KEY);
    expect(records.map((r) => r.eventType)[3]).toBe('audit.key_rotated');
    expect(await verify(records, [checkpointAt(records, 3, 1, OLD), checkpointAt(records, 7)])).toMatchObject({
      valid: true,
      checked: 7,
    });
    expect((await verify(records, [], { current: KEY, previous: [] })).firstBroken).toMatchObject({
      seq: 1,
      reason: 'unknown_key',
    });
  });

  it('verifies an unkeyed prefix as before, then the keyed chain after its marker', async () => {
    const records = append(legacy(4), 3);
    expect(records[4]).toMatchObject({ seq: 5, eventType: 'audit.chain_keyed', keyId: KEY.id });
    expect(await verify(records, [checkpointAt(records, 8, 5)])).toMatchObject({ valid: true, checked: 8 });
    const edited = records.map((r) => (r.seq === 2 ? { ...r, userId: 'someone' } : r));
    expect((await verify(edited)).firstBroken).toMatchObject({ seq: 2, reason: 'content_altered' });
  });

  it('refuses a keyed log rewritten whole with the pre-key formula, from the seq the checkpoint says was keyed', async () => {
    const records = append([], 5);
    const anchors = [checkpointAt(records, 5, 1)];
    expect((await verify(legacy(5), anchors)).firstBroken).toMatchObject({ seq: 1, reason: 'unkeyed_record' });
  });

  it('reports a forged checkpoint and a table that is not the one anchored', async () => {
    const records = append([], 5);
    const forged = { ...checkpointAt(records, 5), seq: 4, hash: records[3]?.hash ?? '' };
    expect((await verify(records, [forged])).firstBroken).toMatchObject({ seq: 4, reason: 'checkpoint_invalid' });
    const verdict = await verify(rolledBack(records, 3, 2), [checkpointAt(records, 2), checkpointAt(records, 5)]);
    expect(verdict).toMatchObject({ firstBroken: { seq: 5, reason: 'checkpoint_mismatch' }, anchoredThrough: 2 });
  });
});

describe('verifyChainSince', () => {
  it('checks only the records from the anchor on and returns the head to anchor next', async () => {
    const records = append([], 8);
    const since = await verifyChainSince(iterate(records.slice(4)), checkpointAt(records, 5), RING);
    expect(since).toEqual({ broken: null, head: { seq: 8, hash: records[7]?.hash, keyId: KEY.id }, keyedFrom: 1 });
    expect((await verifyChainSince(iterate(records), null, RING)).head.seq).toBe(8);
  });

  it('will not anchor a table cut below, or rewritten at, its last checkpoint', async () => {
    const records = append([], 8);
    const anchor = checkpointAt(records, 5);
    expect((await verifyChainSince(iterate([]), anchor, RING)).broken).toMatchObject({ seq: 5, reason: 'truncated' });
    const edited = records.slice(4).map((r) => (r.seq === 5 ? { ...r, message: 'edited' } : r));
    expect((await verifyChainSince(iterate(edited), anchor, RING)).broken).toMatchObject({
      seq: 5,
      reason: 'content_altered',
    });
    expect((await verifyChainSince(iterate(rolledBack(records, 4, 4).slice(4)), anchor, RING)).broken).toMatchObject({
      seq: 5,
      reason: 'checkpoint_mismatch',
    });
  });
});
