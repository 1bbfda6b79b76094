import { auditEntry, type AuditEventType, type Severity } from '#audit';
import type { AuditLog, Logger } from '#platform';

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
 * The workers' audit records: data source calls and how investigations end. A failing
 * append is logged, never fails the investigation: the analysis is the user's work.
 */
export class InvestigationAudit {
  constructor(
    private readonly log: AuditLog | undefined,
    private readonly logger: Logger,
    private readonly clock: () => Date,
  ) {}

  dataSourceCalled(subject: AuditSubject, page: number, records: number): Promise<void> {
    return this.append(subject, { eventType: 'data_source.called', severity: 'low', success: true, message: `${subject.dataSource} page ${page}: ${records} contracts` }, true);
  }

  completed(subject: AuditSubject, anomalies: number): Promise<void> {
    return this.append(subject, { eventType: 'investigation.completed', severity: 'low', success: true, message: `${anomalies} anomalies found` });
  }

  failed(subject: AuditSubject, errorCode: string, message: string): Promise<void> {
    return this.append(subject, { eventType: 'investigation.failed', severity: 'medium', success: false, errorCode, message });
  }

  private async append(subject: AuditSubject, fact: Fact, aboutSource = false): Promise<void> {
    if (!this.log) return;
    const entry = auditEntry({
      occurredAt: this.clock().toISOString(),
      ...fact,
      userId: subject.userId,
      resourceType: aboutSource ? 'data_source' : 'investigation',
      resourceId: aboutSource ? subject.dataSource : subject.investigationId,
      correlationId: subject.investigationId,
    });
    await this.log.append(entry).catch((error: unknown) => this.logger.error({ err: error, eventType: fact.eventType }, 'audit record could not be stored'));
  }
}
