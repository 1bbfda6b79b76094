import { afterEach, describe, expect, it } from '@jest/globals';
import {
  auditEntry,
  auditHash,
  auditKeyring,
  signCheckpoint,
  AUDIT_CHECKPOINTS_STREAM,
  type AuditRecord,
  type BrokenLinkReason,
} from '#audit';
import { auditPlace, type AuditAdapterKind, type AuditHarness, type AuditPlace } from './audit-log.testing.js';

const RING = auditKeyring('audit-tamper-spec-key-'.padEnd(40, 't'));
const places: AuditPlace[] = [];
const open: AuditHarness[] = [];

// Each test's connections go when it ends: held to the end of the file, they would add up to PostgreSQL's limit.
afterEach(async () => {
  for (const h of open.splice(0)) await h.close().catch(() => undefined);
  for (const place of places.splice(0)) await place.dispose();
});

const entry = (n: number) =>
  auditEntry({
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    eventType: 'security.access_denied',
    severity: 'high',
    success: false,
    userId: `user-${n}`,
    message: `record ${n}`,
  });

interface Logged {
  readonly h: AuditHarness;
  /** The ten records as written. */
  readonly records: readonly AuditRecord[];
  /** A copy of the table taken when it held six records (anchored then). */
  readonly olderCopy: readonly AuditRecord[];
}

/** Ten records, anchored at 6 and at 10, with a copy of the table taken at 6. */
async function logged(kind: AuditAdapterKind): Promise<Logged> {
  const place = auditPlace(kind);
  places.push(place);
  const h = await place.open(RING);
  open.push(h);
  for (let n = 1; n <= 6; n++) await h.log.append(entry(n));
  expect((await h.anchor.checkpoint()).kind).toBe('written');
  const olderCopy = await h.rows();
  for (let n = 7; n <= 10; n++) await h.log.append(entry(n));
  expect((await h.anchor.checkpoint()).kind).toBe('written');
  return { h, records: await h.rows(), olderCopy };
}

const at = (records: readonly AuditRecord[], seq: number): AuditRecord => {
  const record = records.find((r) => r.seq === seq);
  if (!record) throw new Error(`no record ${seq}`);
  return record;
};

/** What someone without the key can do: hash with the formula from before keys. */
const plainHashed = (record: AuditRecord, prevHash: string): AuditRecord => ({
  ...record,
  prevHash,
  hash: auditHash(record.seq, record, prevHash, null),
});

async function replaceTable(h: AuditHarness, rows: readonly AuditRecord[]): Promise<void> {
  await h.sql('DELETE FROM audit_log');
  for (const row of rows) await h.insert(row);
}

interface Tampering {
  readonly name: string;
  readonly tamper: (logged: Logged) => Promise<void>;
  readonly seq: number;
  readonly reason: BrokenLinkReason;
  /** Where the checkpoints still vouch for the table, when that is the point. */
  readonly anchoredThrough?: number;
}

const TAMPERINGS: Tampering[] = [
  {
    name: "edit a middle record's field",
    seq: 5,
    reason: 'content_altered',
    tamper: ({ h }) => h.sql("UPDATE audit_log SET user_id = 'someone-else' WHERE seq = 5"),
  },
  {
    name: "edit a middle record's hash",
    seq: 5,
    reason: 'content_altered',
    tamper: ({ h }) => h.sql(`UPDATE audit_log SET hash = '${'f'.repeat(64)}' WHERE seq = 5`),
  },
  {
    name: 'delete a middle record',
    seq: 5,
    reason: 'sequence_gap',
    tamper: ({ h }) => h.sql('DELETE FROM audit_log WHERE seq = 5'),
  },
  {
    name: 'swap two records',
    seq: 4,
    reason: 'prev_hash_mismatch',
    tamper: ({ h, records }) =>
      replaceTable(
        h,
        records.map((r) =>
          r.seq === 4 ? { ...at(records, 6), seq: 4 } : r.seq === 6 ? { ...at(records, 4), seq: 6 } : r,
        ),
      ),
  },
  {
    name: 'insert a forged record in the middle',
    seq: 5,
    reason: 'content_altered',
    tamper: ({ h, records }) => {
      const forged = plainHashed({ ...at(records, 5), ...entry(99), seq: 5 }, at(records, 4).hash);
      return replaceTable(h, [
        ...records.filter((r) => r.seq < 5),
        forged,
        ...records.filter((r) => r.seq >= 5).map((r) => ({ ...r, seq: r.seq + 1 })),
      ]);
    },
  },
  {
    name: 'truncate the newest record',
    seq: 10,
    reason: 'truncated',
    tamper: ({ h }) => h.sql('DELETE FROM audit_log WHERE seq = 10'),
  },
  {
    name: 'truncate the newest three records',
    seq: 8,
    reason: 'truncated',
    tamper: ({ h }) => h.sql('DELETE FROM audit_log WHERE seq >= 8'),
  },
  { name: 'delete everything', seq: 1, reason: 'emptied', tamper: ({ h }) => h.sql('DELETE FROM audit_log') },
  {
    name: 'edit and re-hash the newest record',
    seq: 10,
    reason: 'content_altered',
    tamper: ({ h, records }) =>
      replaceTable(
        h,
        records.map((r) => (r.seq === 10 ? plainHashed({ ...r, message: 'nothing happened' }, r.prevHash) : r)),
      ),
  },
  {
    name: 're-chain a suffix after editing',
    seq: 7,
    reason: 'content_altered',
    tamper: ({ h, records }) => {
      const rows = [...records.filter((r) => r.seq < 7)];
      for (const r of records.filter((r) => r.seq >= 7))
        rows.push(plainHashed(r.seq === 7 ? { ...r, userId: 'nobody' } : r, rows.at(-1)?.hash ?? ''));
      return replaceTable(h, rows);
    },
  },
  {
    name: 'append a record forged with the old unkeyed hash',
    seq: 11,
    reason: 'unkeyed_record',
    tamper: ({ h, records }) =>
      h.insert(plainHashed({ ...entry(11), seq: 11, prevHash: '', hash: '', keyId: null }, at(records, 10).hash)),
  },
  {
    name: 'edit the oldest record',
    seq: 1,
    reason: 'content_altered',
    tamper: ({ h }) => h.sql("UPDATE audit_log SET message = 'edited' WHERE seq = 1"),
  },
  {
    name: 'restore an older copy of the table (rollback)',
    seq: 7,
    reason: 'truncated',
    tamper: ({ h, olderCopy }) => replaceTable(h, olderCopy),
  },
  {
    name: 'rewrite seq numbers, leaving a gap',
    seq: 8,
    reason: 'sequence_gap',
    tamper: ({ h }) => h.sql('UPDATE audit_log SET seq = seq + 100 WHERE seq >= 8'),
  },
  // Beyond the fourteen: variants an attacker would try next.
  {
    name: "renumber to close a deleted record's gap",
    seq: 5,
    reason: 'prev_hash_mismatch',
    tamper: ({ h, records }) =>
      replaceTable(
        h,
        records.filter((r) => r.seq !== 5).map((r) => (r.seq > 5 ? { ...r, seq: r.seq - 1 } : r)),
      ),
  },
  {
    name: 'restore an older copy and let the service write on',
    seq: 10,
    reason: 'checkpoint_mismatch',
    anchoredThrough: 6,
    tamper: async ({ h, olderCopy }) => {
      await replaceTable(h, olderCopy);
      for (let n = 7; n <= 10; n++) await h.log.append({ ...entry(n), message: `after the rollback ${n}` });
    },
  },
  {
    name: 'forge a checkpoint in the event store',
    seq: 12,
    reason: 'checkpoint_invalid',
    tamper: async ({ h, records }) => {
      const forged = signCheckpoint(
        { seq: 12, hash: at(records, 10).hash, count: 12, at: new Date().toISOString(), keyedFrom: 1 },
        auditKeyring('a guessed key, not the one in use'.padEnd(40, '?')).current,
      );
      const metadata = {
        eventId: 'forged',
        commandId: 'forged',
        correlationId: 'forged',
        userId: 'system',
        occurredAt: forged.at,
      };
      await h.store.appendToStream(
        AUDIT_CHECKPOINTS_STREAM,
        [{ type: 'AuditCheckpointed', data: { ...forged, keyId: RING.current.id }, metadata }],
        'any',
      );
    },
  },
];

describe.each(['sqlite', 'postgres'] as const)('%s audit log tampered with directly in the database', (kind) => {
  it('verifies the untouched log, anchored twice', async () => {
    const { h } = await logged(kind);
    expect(await h.anchor.verify(4)).toMatchObject({
      valid: true,
      checked: 10,
      firstBroken: null,
      latestCheckpoint: { seq: 10, count: 10, keyedFrom: 1 },
      anchoredThrough: 10,
    });
  });

  it.each(TAMPERINGS)(
    '$name: reported at seq $seq as $reason, and never anchored',
    async ({ tamper, seq, reason, anchoredThrough }) => {
      const logged_ = await logged(kind);
      const { h } = logged_;
      await tamper(logged_);
      const rowsBefore = await h.rows();
      const verdict = await h.anchor.verify(4);
      expect(verdict).toMatchObject({ valid: false, firstBroken: { seq, reason } });
      if (anchoredThrough !== undefined) expect(verdict.anchoredThrough).toBe(anchoredThrough);
      // Neither verifying nor the next checkpoint writes anything onto the tampered tail.
      expect((await h.anchor.checkpoint()).kind).not.toBe('written');
      expect(await h.rows()).toEqual(rowsBefore);
      expect(await h.anchor.verify(4)).toEqual(verdict);
    },
  );
});
