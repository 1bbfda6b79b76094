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
      { eventType: 'investigation.completed', severity: 'low', success: true, message: `${anomalies} anomalies found` },
      context,
    );
  }

  failed(subject: AuditSubject, errorCode: string, message: string, context: CommandContext): Promise<void> {
    return this.append(
      subject,
      { eventType: 'investigation.failed', severity: 'medium', success: false, errorCode, message },
      context,
    );
  }

  private async append(subject: AuditSubject, fact: Fact, context: CommandContext, aboutSource = false): Promise<void> {
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
    const write = (): Promise<unknown> => log.append(entry);
    await (this.outage ? this.outage.retrying(write, context) : write()).catch((error: unknown) =>
      this.logger.error({ err: error, eventType: fact.eventType }, 'audit record could not be stored'),
    );
  }
}
