import { auditEntry, type AuditEventType, type Severity } from '#audit';
import type { AuditLog, CommandContext, Logger } from '#platform';
import type { StorageOutage } from '../outage/storage-outage.js';

/** What the runner knows about the investigation a record is about. */
export interface AuditSubject {
  readonly investigationId: string;
  readonly dataSource: string;
  readonly userId: string;
}

interface Fact {
  readonly eventType: AuditEventType;
  readonly severity: Severity;
  readonly success: boolean;
  readonly message: string;
  readonly errorCode?: string;
  /** A fact that happens once per investigation is recorded once, however often its command is handled. */
  readonly once?: boolean;
}

/**
 * The workers' audit records: data source calls and how investigations end. An audit log
 * that is unreachable is waited for (the command holds its place, see StorageOutage), so
 * an outage loses no record; any other failing append is logged and never fails the
 * investigation: the analysis is the user's work.
 */
export class InvestigationAudit {
  constructor(
    private readonly log: AuditLog | undefined,
    private readonly logger: Logger,
    private readonly clock: () => Date,
    private readonly outage?: StorageOutage,
  ) {}

  dataSourceCalled(subject: AuditSubject, page: number, records: number, context: CommandContext): Promise<void> {
    return this.append(
      subject,
      {
        eventType: 'data_source.called',
        severity: 'low',
        success: true,
        message: `${subject.dataSource} page ${page}: ${records} contracts`,
      },
      context,
      true,
    );
  }

  completed(subject: AuditSubject, anomalies: number, context: CommandContext): Promise<void> {
    return this.append(
      subject,
      {
        eventType: 'investigation.completed',
        severity: 'low',
        success: true,
        message: `${anomalies} anomalies found`,
        once: true,
      },
      context,
    );
  }

  failed(subject: AuditSubject, errorCode: string, message: string, context: CommandContext): Promise<void> {
    return this.append(
      subject,
      { eventType: 'investigation.failed', severity: 'medium', success: false, errorCode, message, once: true },
      context,
    );
  }

  private async append(
    subject: AuditSubject,
    { once, ...fact }: Fact,
    context: CommandContext,
    aboutSource = false,
  ): Promise<void> {
    if (!this.log) return;
    const entry = auditEntry({
      occurredAt: this.clock().toISOString(),
      ...fact,
      userId: subject.userId,
      resourceType: aboutSource ? 'data_source' : 'investigation',
      resourceId: aboutSource ? subject.dataSource : subject.investigationId,
      correlationId: subject.investigationId,
    });
    const log = this.log;
    // A data source call is recorded each time it happens; a redelivered command does call again.
    const options = once ? { dedupeKey: `${fact.eventType}:${subject.investigationId}` } : {};
    const write = (): Promise<unknown> => log.append(entry, options);
    await (this.outage ? this.outage.retrying(write, context) : write()).catch((error: unknown) =>
      this.logger.error({ err: error, eventType: fact.eventType }, 'audit record could not be stored'),
    );
  }
}
