import { AUDIT_CHECKPOINTS_STREAM, auditCheckpointOf, type AuditCheckpointData, type AuditCheckpointed } from '#audit';
import { WrongExpectedRevisionError, type EventStore } from '#eventsourcing';
import { newId } from '../ids/ids.js';

/** The checkpoint stream as last read: its newest checkpoint and its last revision (0: no stream). */
export interface CheckpointHead {
  readonly checkpoint: AuditCheckpointData | null;
  readonly revision: number;
}

export const NO_CHECKPOINT: CheckpointHead = { checkpoint: null, revision: 0 };

/**
 * The audit chain's anchors in the event store (`audit-checkpoints`). Each append expects
 * the revision its writer last read, so checkpoints stay in strictly increasing seq order
 * however many processes write them.
 */
export class AuditCheckpoints {
  constructor(
    private readonly store: EventStore,
    private readonly pageSize = 500,
  ) {}

  /** Checkpoints in stream order up to revision `upTo`, a page at a time. */
  async *all(upTo: number): AsyncGenerator<AuditCheckpointData> {
    for (let after = 0; after < upTo;) {
      const page = await this.store.readStream(AUDIT_CHECKPOINTS_STREAM, {
        after,
        maxCount: Math.min(this.pageSize, upTo - after),
      });
      for (const event of page) {
        const checkpoint = auditCheckpointOf(event);
        if (checkpoint) yield checkpoint;
      }
      const last = page[page.length - 1];
      if (!last) return;
      after = last.revision;
    }
  }

  /** The stream's head, reading only what came after `known` (a head this process read before). */
  async latest(known: CheckpointHead = NO_CHECKPOINT): Promise<CheckpointHead> {
    let head = known;
    for (;;) {
      const page = await this.store.readStream(AUDIT_CHECKPOINTS_STREAM, {
        after: head.revision,
        maxCount: this.pageSize,
      });
      for (const event of page)
        head = { checkpoint: auditCheckpointOf(event) ?? head.checkpoint, revision: event.revision };
      if (page.length < this.pageSize) return head;
    }
  }

  /** Appends after `head`; null when another writer appended first (read the head again and decide again). */
  async append(checkpoint: AuditCheckpointData, head: CheckpointHead): Promise<CheckpointHead | null> {
    const event: AuditCheckpointed = { type: 'AuditCheckpointed', data: checkpoint };
    const metadata = {
      eventId: newId(),
      commandId: newId(),
      correlationId: `audit-checkpoint-${checkpoint.seq}`,
      userId: 'system',
      occurredAt: checkpoint.at,
    };
    try {
      const { nextRevision } = await this.store.appendToStream(
        AUDIT_CHECKPOINTS_STREAM,
        [{ ...event, metadata }],
        head.revision,
      );
      return { checkpoint, revision: nextRevision };
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) return null;
      throw error;
    }
  }
}
