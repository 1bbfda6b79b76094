import { SEVERITIES, type Severity } from '#analysis';
import { assertNever, type Stored } from '#eventsourcing';
import type { InvestigationEvent } from './investigation.events.js';
import type { InvestigationPublicStatus } from './investigation.status.js';

/**
 * An investigation at a glance, small enough for a device to keep: status, phase, progress
 * and anomaly counts, as of the event `last_event_id` (the SSE id). MQTT subscribers get it
 * as the retained `<prefix>/investigations/<id>/state` message.
 */
export interface InvestigationBrief {
  readonly investigation_id: string;
  readonly status: InvestigationPublicStatus;
  readonly current_phase: string | null;
  readonly progress: number;
  readonly records_processed: number;
  readonly anomalies_detected: number;
  readonly anomalies_by_severity: Readonly<Record<Severity, number>>;
  readonly last_event_id: number;
  readonly updated_at: string;
}

/** The retained MQTT message: the brief, with a `type` as every message of the streams has. */
export type InvestigationStateMessage = { readonly type: 'state' } & InvestigationBrief;

export const stateMessageOf = (brief: InvestigationBrief): InvestigationStateMessage => ({ type: 'state', ...brief });

export function emptyInvestigationBrief(investigationId: string): InvestigationBrief {
  return {
    investigation_id: investigationId,
    status: 'queued',
    current_phase: null,
    progress: 0,
    records_processed: 0,
    anomalies_detected: 0,
    anomalies_by_severity: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>,
    last_event_id: 0,
    updated_at: '',
  };
}

export function evolveInvestigationBrief(
  brief: InvestigationBrief,
  event: Stored<InvestigationEvent>,
): InvestigationBrief {
  return { ...applyEvent(brief, event), last_event_id: event.revision, updated_at: event.metadata.occurredAt };
}

function applyEvent(brief: InvestigationBrief, event: Stored<InvestigationEvent>): InvestigationBrief {
  switch (event.type) {
    case 'InvestigationStarted':
      return { ...brief, status: 'running' };
    case 'PhaseStarted':
      return { ...brief, current_phase: event.data.phase };
    case 'ProgressReported':
      return {
        ...brief,
        progress: event.data.progress,
        records_processed: event.data.recordsProcessed,
        anomalies_detected: event.data.anomaliesDetected,
      };
    case 'AnomalyDetected': {
      const { severity } = event.data.anomaly;
      const counts = brief.anomalies_by_severity;
      return { ...brief, anomalies_by_severity: { ...counts, [severity]: counts[severity] + 1 } };
    }
    case 'InvestigationCompleted':
      return {
        ...brief,
        status: 'completed',
        progress: 100,
        records_processed: event.data.recordsProcessed,
        anomalies_detected: event.data.totalAnomalies,
      };
    case 'InvestigationFailed':
      return { ...brief, status: 'failed' };
    case 'InvestigationCancelled':
      return { ...brief, status: 'cancelled' };
    case 'InvestigationPlanned':
    case 'TrendsAnalyzed':
    case 'TrendsUpdated':
    case 'ReportDrafted':
      return brief;
    default:
      return assertNever(event, 'investigation event');
  }
}
