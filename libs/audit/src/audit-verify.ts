import { brokenLink, checkLink, CHAIN_START, type BrokenLink, type ChainCursor } from './audit-chain.js';
import { checkpointAuthentic, type AuditCheckpointData } from './audit-checkpoint.js';
import type { AuditKeyring } from './audit-key.js';
import type { AuditRecord } from './audit-record.js';

/**
 * Folds records (in seq order) and the checkpoints that fall between them. Records prove
 * their links; checkpoints prove what the links cannot: that nothing was cut from the end
 * and that the table is the one that was anchored.
 */
export class ChainVerifier {
  private at: ChainCursor;
  private accepted = 0;
  private lastCheckpointSeq = -1;
  private matchedSeq = 0;
  private firstKeyed: number | null;

  /** `keyedFrom`: as the latest authentic checkpoint attests it; `start`: resume after an anchored record. */
  constructor(
    private readonly ring: AuditKeyring,
    private readonly keyedFrom: number | null,
    start: ChainCursor = CHAIN_START,
  ) {
    this.at = start;
    this.firstKeyed = keyedFrom;
  }

  get cursor(): ChainCursor {
    return this.at;
  }

  /** Records accepted so far. */
  get checked(): number {
    return this.accepted;
  }

  /** The newest seq a checkpoint vouched for: the records up to it are exactly those anchored. */
  get anchoredThrough(): number {
    return this.matchedSeq;
  }

  /** The first keyed seq: the attested one, else the first keyed record seen. */
  get keyedSince(): number | null {
    return this.firstKeyed;
  }

  record(record: AuditRecord): BrokenLink | null {
    const broken = checkLink(this.at, record, this.ring, this.keyedFrom);
    if (broken) return broken;
    if (this.firstKeyed === null && record.keyId !== null) this.firstKeyed = record.seq;
    this.at = { seq: record.seq, hash: record.hash, keyId: record.keyId };
    this.accepted++;
    return null;
  }

  /** A checkpoint whose seq is the cursor's: the record accepted there must be the one it anchored. */
  checkpoint(checkpoint: AuditCheckpointData): BrokenLink | null {
    const authentic = checkpointAuthentic(checkpoint, this.ring);
    if (!authentic)
      return brokenLink(
        checkpoint.seq,
        'checkpoint_invalid',
        `a MAC by a key of the keyring`,
        checkpoint.keyId || 'no key id',
      );
    if (checkpoint.seq <= this.lastCheckpointSeq || checkpoint.seq !== this.at.seq) {
      return brokenLink(
        checkpoint.seq,
        'checkpoint_invalid',
        `a checkpoint after seq ${Math.max(this.lastCheckpointSeq, 0)}`,
        `seq ${checkpoint.seq}`,
      );
    }
    this.lastCheckpointSeq = checkpoint.seq;
    if (checkpoint.hash !== this.at.hash)
      return brokenLink(checkpoint.seq, 'checkpoint_mismatch', checkpoint.hash, this.at.hash);
    if (checkpoint.count !== checkpoint.seq)
      return brokenLink(checkpoint.seq, 'checkpoint_mismatch', `${checkpoint.seq} records`, `${checkpoint.count}`);
    this.matchedSeq = checkpoint.seq;
    return null;
  }

  /** A checkpoint beyond the last record: what it anchored after the cursor is gone. */
  beyondEnd(checkpoint: AuditCheckpointData): BrokenLink {
    if (!checkpointAuthentic(checkpoint, this.ring))
      return brokenLink(
        checkpoint.seq,
        'checkpoint_invalid',
        'a MAC by a key of the keyring',
        checkpoint.keyId || 'no key id',
      );
    const reason = this.at.seq === 0 ? 'emptied' : 'truncated';
    return brokenLink(
      this.at.seq + 1,
      reason,
      `records up to seq ${checkpoint.seq}`,
      this.at.seq === 0 ? 'no records' : `records up to seq ${this.at.seq}`,
    );
  }
}

export interface AuditVerdict {
  readonly valid: boolean;
  readonly checked: number;
  readonly firstBroken: BrokenLink | null;
  /** The newest checkpoint, null when the log was never anchored. */
  readonly latestCheckpoint: AuditCheckpointData | null;
  /**
   * The newest seq a checkpoint vouched for before verification stopped. Records after it
   * are proven by their links only: when a checkpoint later disagrees, the first changed
   * record lies between the two.
   */
  readonly anchoredThrough: number;
}

/**
 * Walks every record and every checkpoint in seq order and stops at the first problem.
 * `latest` is the newest checkpoint (read before the walk): its `keyedFrom`, when authentic,
 * says from where on every record must be keyed. Never writes anything.
 */
export async function verifyAuditChain(
  records: AsyncIterable<AuditRecord>,
  checkpoints: AsyncIterable<AuditCheckpointData>,
  ring: AuditKeyring,
  latest: AuditCheckpointData | null,
): Promise<AuditVerdict> {
  const keyedFrom = latest && checkpointAuthentic(latest, ring) ? latest.keyedFrom : null;
  const verifier = new ChainVerifier(ring, keyedFrom);
  const verdict = (firstBroken: BrokenLink | null): AuditVerdict => ({
    valid: firstBroken === null,
    checked: verifier.checked,
    firstBroken,
    latestCheckpoint: latest,
    anchoredThrough: verifier.anchoredThrough,
  });
  const anchors = checkpoints[Symbol.asyncIterator]();
  try {
    let next = await anchors.next();
    /** Checkpoints up to `seq`, in order; the walk has just accepted the record at `seq`. */
    const through = async (seq: number): Promise<BrokenLink | null> => {
      for (; !next.done && next.value.seq <= seq; next = await anchors.next()) {
        const broken = verifier.checkpoint(next.value);
        if (broken) return broken;
      }
      return null;
    };
    const atStart = await through(0);
    if (atStart) return verdict(atStart);
    for await (const record of records) {
      const broken = verifier.record(record) ?? (await through(record.seq));
      if (broken) return verdict(broken);
    }
    // `latest` too: a checkpoint stream read short (or cut) must not hide a truncated table.
    const beyond = next.done ? (latest && latest.seq > verifier.cursor.seq ? latest : null) : next.value;
    return verdict(beyond ? verifier.beyondEnd(beyond) : null);
  } finally {
    await anchors.return?.();
  }
}

export interface ChainSince {
  readonly broken: BrokenLink | null;
  /** The last record accepted: what the next checkpoint anchors. */
  readonly head: ChainCursor;
  readonly keyedFrom: number | null;
}

/**
 * The records from `anchor.seq` on (the anchored record first), checked against the anchor
 * and each other: what a checkpoint writer must see before it anchors a new head, so a
 * table cut or rewritten since the last checkpoint is never anchored. From the start
 * when nothing was anchored yet.
 */
export async function verifyChainSince(
  records: AsyncIterable<AuditRecord>,
  anchor: AuditCheckpointData | null,
  ring: AuditKeyring,
): Promise<ChainSince> {
  const since = (broken: BrokenLink | null, verifier: ChainVerifier | null): ChainSince => ({
    broken,
    head: verifier?.cursor ?? CHAIN_START,
    keyedFrom: verifier?.keyedSince ?? null,
  });
  const iterator = records[Symbol.asyncIterator]();
  try {
    let verifier = new ChainVerifier(ring, null);
    if (anchor) {
      const first = await iterator.next();
      if (first.done)
        return since(
          brokenLink(anchor.seq, 'truncated', `records up to seq ${anchor.seq}`, `no record from seq ${anchor.seq} on`),
          null,
        );
      if (first.value.seq !== anchor.seq)
        return since(brokenLink(anchor.seq, 'sequence_gap', anchor.seq, first.value.seq), null);
      // The anchored record's link to its predecessor was checked when it was anchored; its content is checked again.
      verifier = new ChainVerifier(ring, anchor.keyedFrom, {
        seq: anchor.seq - 1,
        hash: first.value.prevHash,
        keyId: first.value.keyId,
      });
      const broken = verifier.record(first.value) ?? verifier.checkpoint(anchor);
      if (broken) return since(broken, verifier);
    }
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const broken = verifier.record(next.value);
      if (broken) return since(broken, verifier);
    }
    return since(null, verifier);
  } finally {
    await iterator.return?.();
  }
}
