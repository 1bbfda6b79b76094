import {
  signCheckpoint,
  verifyAuditChain,
  verifyChainSince,
  type AuditCheckpointData,
  type AuditKeyring,
  type AuditVerdict,
  type BrokenLink,
} from '#audit';
import type { EventStore } from '#eventsourcing';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { AuditCheckpoints, NO_CHECKPOINT, type CheckpointHead } from './audit-checkpoints.js';
import { auditRecords, DEFAULT_AUDIT_BATCH, type AuditLog } from './audit-log.port.js';

export interface AuditAnchorOptions {
  readonly log: AuditLog;
  readonly store: EventStore;
  readonly ring: AuditKeyring;
  readonly logger: Logger;
  /** A checkpoint after this many records appended by this process... */
  readonly everyRecords: number;
  /** ...and every this often, for what any process appended. */
  readonly intervalMs: number;
  readonly metrics?: Metrics;
  readonly now?: () => Date;
  readonly batchSize?: number;
}

export type CheckpointOutcome =
  | { readonly kind: 'written'; readonly checkpoint: AuditCheckpointData }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'refused'; readonly broken: BrokenLink };

/** Retries when other processes keep anchoring between this one's read and its append. */
const MAX_RACES = 5;

/**
 * Anchors the audit chain's head in the event store and verifies the table against those
 * anchors. A checkpoint is written only after the records since the previous one were
 * checked against it: a table that was cut or rewritten is reported, never re-anchored.
 */
export class AuditAnchor {
  private readonly checkpoints: AuditCheckpoints;
  private head: CheckpointHead = NO_CHECKPOINT;
  private queue: Promise<unknown> = Promise.resolve();
  private queued: Promise<CheckpointOutcome> | null = null;
  private appendedSince = 0;
  private timer: NodeJS.Timeout | null = null;

  private constructor(private readonly options: AuditAnchorOptions) {
    this.checkpoints = new AuditCheckpoints(options.store);
  }

  /** Starts the periodic checkpoints; stop() ends them with a last one. */
  static start(options: AuditAnchorOptions): AuditAnchor {
    const anchor = new AuditAnchor(options);
    anchor.timer = setInterval(() => void anchor.checkpointQuietly(), options.intervalMs);
    anchor.timer.unref();
    return anchor;
  }

  /** Called after each append of this process. */
  noteAppended(): void {
    if (++this.appendedSince >= this.options.everyRecords) void this.checkpointQuietly();
  }

  /** One checkpoint at a time per process; a request while one waits joins it. */
  checkpoint(): Promise<CheckpointOutcome> {
    if (this.queued) return this.queued;
    const next = this.queue.then(() => {
      this.queued = null;
      return this.anchorHead();
    });
    this.queued = next;
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The whole table against every checkpoint; reads only. */
  async verify(batchSize = DEFAULT_AUDIT_BATCH): Promise<AuditVerdict> {
    // Checkpoints up to this revision only: one written during the walk may anchor records the walk's snapshot predates.
    const head = await this.checkpoints.latest(this.head);
    const { log, ring } = this.options;
    return verifyAuditChain(
      auditRecords(log, {}, batchSize),
      this.checkpoints.all(head.revision),
      ring,
      head.checkpoint,
    );
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.checkpointQuietly();
  }

  private async checkpointQuietly(): Promise<void> {
    try {
      await this.checkpoint();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'audit checkpoint failed; retrying at the next one');
    }
  }

  private async anchorHead(): Promise<CheckpointOutcome> {
    this.appendedSince = 0;
    for (let race = 0; race < MAX_RACES; race++) {
      this.head = await this.checkpoints.latest(this.head);
      const outcome = await this.tryAnchor(this.head);
      if (outcome) return this.counted(outcome);
    }
    return this.counted({ kind: 'unchanged' });
  }

  /** Null when another process appended a checkpoint first. */
  private async tryAnchor(head: CheckpointHead): Promise<CheckpointOutcome | null> {
    const { log, ring, logger, batchSize = DEFAULT_AUDIT_BATCH, now = () => new Date() } = this.options;
    const anchor = head.checkpoint;
    const since = await verifyChainSince(auditRecords(log, {}, batchSize, anchor ? anchor.seq - 1 : 0), anchor, ring);
    if (since.broken) {
      logger.error(
        { firstBroken: since.broken, checkpoint: anchor },
        'audit log no longer matches its last checkpoint: not anchoring it (GET /api/v1/audit/verify for the whole verdict)',
      );
      return { kind: 'refused', broken: since.broken };
    }
    if (since.head.seq === (anchor?.seq ?? 0)) return { kind: 'unchanged' };
    const { seq, hash } = since.head;
    const checkpoint = signCheckpoint(
      { seq, hash, count: seq, at: now().toISOString(), keyedFrom: since.keyedFrom },
      ring.current,
    );
    const stored = await this.checkpoints.append(checkpoint, head);
    if (!stored) return null;
    this.head = stored;
    return { kind: 'written', checkpoint };
  }

  private counted(outcome: CheckpointOutcome): CheckpointOutcome {
    this.options.metrics?.auditCheckpoints.inc({ outcome: outcome.kind });
    return outcome;
  }
}

/** `log` whose appends count towards the anchor's next checkpoint. */
export function anchoredAuditLog(log: AuditLog, anchor: AuditAnchor): AuditLog {
  return {
    kind: log.kind,
    append: async (entry, options) => {
      const record = await log.append(entry, options);
      anchor.noteAppended();
      return record;
    },
    read: (filter, batchSize, afterSeq) => log.read(filter, batchSize, afterSeq),
    ping: () => log.ping(),
    close: () => log.close(),
  };
}
