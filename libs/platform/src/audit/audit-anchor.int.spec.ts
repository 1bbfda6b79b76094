import { afterEach, describe, expect, it } from '@jest/globals';
import { auditEntry, auditHash, auditKeyring, GENESIS_HASH, type AuditRecord } from '#audit';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { auditPlace, type AuditAdapterKind, type AuditHarness, type AuditPlace } from './audit-log.testing.js';

const KEY_A = 'audit-anchor-spec-key-a-'.padEnd(40, 'a');
const KEY_B = 'audit-anchor-spec-key-b-'.padEnd(40, 'b');
const RING = auditKeyring(KEY_A);
const places: AuditPlace[] = [];
const open: AuditHarness[] = [];

// Each test's connections go when it ends: held to the end of the file, they would add up to PostgreSQL's limit.
afterEach(async () => {
  for (const h of open.splice(0)) await h.close().catch(() => undefined);
  for (const place of places.splice(0)) await place.dispose();
});

function newPlace(kind: AuditAdapterKind): AuditPlace {
  const place = auditPlace(kind);
  places.push(place);
  return place;
}

async function opened(place: AuditPlace, ...args: Parameters<AuditPlace['open']>): Promise<AuditHarness> {
  const h = await place.open(...args);
  open.push(h);
  return h;
}

const entry = (n: number) =>
  auditEntry({
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    eventType: 'auth.login_failed',
    severity: 'medium',
    success: false,
    message: `record ${n}`,
  });

async function append(h: AuditHarness, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) await h.log.append(entry(n));
}

/** Records as the log wrote them before it was keyed. */
function unkeyed(count: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const prevHash = records.at(-1)?.hash ?? GENESIS_HASH;
    records.push({ ...entry(seq), seq, prevHash, hash: auditHash(seq, entry(seq), prevHash, null), keyId: null });
  }
  return records;
}

const seqs = async (h: AuditHarness): Promise<number[]> => (await h.checkpoints()).map((c) => c.seq);

describe.each(['sqlite', 'postgres'] as const)('%s audit anchor', (kind) => {
  it('finds an empty log valid, anchors nothing for it, and stays valid across a restart', async () => {
    const place = newPlace(kind);
    const h = await opened(place, RING);
    expect(await h.anchor.verify()).toMatchObject({ valid: true, checked: 0, latestCheckpoint: null });
    expect(await h.anchor.checkpoint()).toEqual({ kind: 'unchanged' });
    await append(h, 1, 5);
    await h.close();
    // The shutdown checkpoint anchors what this process wrote.
    const again = await opened(place, RING);
    expect(await seqs(again)).toEqual([5]);
    await append(again, 6, 8);
    expect(await again.anchor.verify(3)).toMatchObject({
      valid: true,
      checked: 8,
      firstBroken: null,
      anchoredThrough: 5,
    });
  });

  it('anchors every N records and every interval, each checkpoint after the previous one', async () => {
    const place = newPlace(kind);
    const counted = await opened(place, RING, { everyRecords: 3 });
    await append(counted, 1, 3);
    await waitUntil(
      async () => ((await seqs(counted)).includes(3) ? true : undefined),
      'a checkpoint after three records',
    );
    await append(counted, 4, 6);
    await waitUntil(
      async () => ((await seqs(counted)).includes(6) ? true : undefined),
      'a checkpoint after six records',
    );
    const timed = await opened(place, RING, { intervalMs: 50 });
    await timed.log.append(entry(7));
    await waitUntil(async () => ((await seqs(timed)).at(-1) === 7 ? true : undefined), 'the periodic checkpoint');
    expect(await seqs(timed)).toEqual([3, 6, 7]);
  });

  it('keeps checkpoints in order while two processes append and anchor at once', async () => {
    const place = newPlace(kind);
    const [one, two] = [await opened(place, RING), await opened(place, RING)];
    await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const h = i % 2 === 0 ? one : two;
        await h.log.append(entry(i));
        await h.anchor.checkpoint();
      }),
    );
    await one.anchor.checkpoint();
    const anchored = await seqs(one);
    expect(anchored.at(-1)).toBe(12);
    expect(anchored).toEqual([...anchored].sort((a, b) => a - b));
    expect(new Set(anchored).size).toBe(anchored.length);
    expect(await two.anchor.verify()).toMatchObject({ valid: true, checked: 12, anchoredThrough: 12 });
  });

  it('refuses to anchor a cut table, also after the service appended onto the cut', async () => {
    const place = newPlace(kind);
    const h = await opened(place, RING);
    await append(h, 1, 6);
    expect((await h.anchor.checkpoint()).kind).toBe('written');
    await h.sql('DELETE FROM audit_log WHERE seq >= 5');
    expect(await h.anchor.checkpoint()).toMatchObject({ kind: 'refused', broken: { seq: 6, reason: 'truncated' } });
    await append(h, 7, 9);
    expect((await h.anchor.checkpoint()).kind).toBe('refused');
    expect(await seqs(h)).toEqual([6]);
    expect(await h.anchor.verify()).toMatchObject({
      valid: false,
      firstBroken: { seq: 6, reason: 'checkpoint_mismatch' },
      anchoredThrough: 0,
    });
  });

  it('upgrades an unkeyed log: the old prefix verifies as before, a marker starts the keyed chain', async () => {
    const place = newPlace(kind);
    await place.seedUnkeyed(unkeyed(4));
    const h = await opened(place, RING);
    expect(await h.anchor.verify()).toMatchObject({ valid: true, checked: 4 });
    await append(h, 5, 6);
    expect((await h.rows()).slice(3).map((r) => [r.seq, r.eventType, r.keyId])).toEqual([
      [4, 'auth.login_failed', null],
      [5, 'audit.chain_keyed', RING.current.id],
      [6, 'auth.login_failed', RING.current.id],
      [7, 'auth.login_failed', RING.current.id],
    ]);
    expect(await h.anchor.checkpoint()).toMatchObject({ kind: 'written', checkpoint: { seq: 7, keyedFrom: 5 } });
    expect(await h.anchor.verify()).toMatchObject({ valid: true, checked: 7 });
    await h.sql("UPDATE audit_log SET message = 'edited' WHERE seq = 2");
    expect((await h.anchor.verify()).firstBroken).toMatchObject({ seq: 2, reason: 'content_altered' });
  });

  it('refuses the keyed part of an upgraded log rewritten with the old formula', async () => {
    const place = newPlace(kind);
    await place.seedUnkeyed(unkeyed(3));
    const h = await opened(place, RING);
    await append(h, 4, 5);
    await h.anchor.checkpoint();
    // Marker and records re-hashed with plain SHA-256 and stripped of their key: a log that looks never keyed.
    let prevHash = (await h.rows())[2]?.hash ?? '';
    const rewritten = (await h.rows()).slice(3).map((row) => {
      const plain = { ...row, prevHash, hash: auditHash(row.seq, row, prevHash, null), keyId: null };
      prevHash = plain.hash;
      return plain;
    });
    await h.sql('DELETE FROM audit_log WHERE seq >= 4');
    for (const row of rewritten) await h.insert(row);
    expect((await h.anchor.verify()).firstBroken).toMatchObject({ seq: 4, reason: 'unkeyed_record' });
  });

  it('continues the chain with a new key, verifying the old records with the retired one', async () => {
    const place = newPlace(kind);
    const before = await opened(place, RING);
    await append(before, 1, 3);
    await before.close();
    const rotated = auditKeyring(KEY_B, [KEY_A]);
    const after = await opened(place, rotated);
    await append(after, 4, 5);
    expect((await after.rows()).map((r) => r.eventType)[3]).toBe('audit.key_rotated');
    expect(await after.anchor.checkpoint()).toMatchObject({
      kind: 'written',
      checkpoint: { seq: 6, keyId: rotated.current.id },
    });
    expect(await after.anchor.verify()).toMatchObject({ valid: true, checked: 6, anchoredThrough: 6 });
    // A process still on the retired key writes after the rotation: reported, not accepted.
    const stale = await opened(place, RING);
    await stale.log.append(entry(9));
    expect((await after.anchor.verify()).firstBroken).toMatchObject({ seq: 7, reason: 'retired_key' });
    // Without the retired key, what it signed cannot be verified.
    const forgetful = await opened(place, auditKeyring(KEY_B));
    expect((await forgetful.anchor.verify()).firstBroken).toMatchObject({ seq: 1, reason: 'unknown_key' });
  });
});
