import type { Anomaly, AnomalyType, InvestigationFilters, TrendReport } from '#analysis';
import { assertNever, type Stored } from '#eventsourcing';
import type { InvestigationEvent } from './investigation.events.js';
import { formatExecutionTime } from './investigation-wire.projection.js';
import type { InvestigationPublicStatus } from './investigation.status.js';

/** The read model behind GET /api/v1/investigations/{id}: snake_case, as on the wire. */
export interface InvestigationSummary {
  readonly investigation_id: string;
  readonly status: InvestigationPublicStatus;
  readonly user_id: string | null;
  readonly query: string;
  readonly data_source: string;
  readonly filters: InvestigationFilters;
  readonly anomaly_types: AnomalyType[];
  readonly plan: { detectors: AnomalyType[]; phases: string[]; rationale: string } | null;
  readonly progress: number;
  readonly current_phase: string | null;
  readonly records_processed: number;
  readonly anomalies_detected: number;
  readonly anomalies: Anomaly[];
  readonly trends: TrendReport | null;
  readonly report: string | null;
  readonly error: { error_code: string; message: string } | null;
  readonly cancel_reason: string | null;
  readonly started_at: string | null;
  readonly completed_at: string | null;
  readonly execution_time: string | null;
  readonly last_event_id: number;
  readonly stream_url: string;
}

export function emptyInvestigationSummary(investigationId: string): InvestigationSummary {
  return {
    investigation_id: investigationId,
    status: 'queued',
    user_id: null,
    query: '',
    data_source: 'contracts',
    filters: {},
    anomaly_types: [],
    plan: null,
    progress: 0,
    current_phase: null,
    records_processed: 0,
    anomalies_detected: 0,
    anomalies: [],
    trends: null,
    report: null,
    error: null,
    cancel_reason: null,
    started_at: null,
    completed_at: null,
    execution_time: null,
    last_event_id: 0,
    stream_url: `/api/v1/investigations/stream/${investigationId}`,
  };
}

export function evolveInvestigationSummary(
  doc: InvestigationSummary,
  event: Stored<InvestigationEvent>,
): InvestigationSummary {
  const next = { ...applyEvent(doc, event), last_event_id: event.revision };
  return next;
}

function applyEvent(doc: InvestigationSummary, event: Stored<InvestigationEvent>): InvestigationSummary {
  switch (event.type) {
    case 'InvestigationStarted': {
      const d = event.data;
      return {
        ...doc,
        status: 'running',
        user_id: event.metadata.userId,
        query: d.query,
        data_source: d.dataSource,
        filters: d.filters,
        anomaly_types: d.anomalyTypes,
        started_at: d.startedAt,
      };
    }
    case 'InvestigationPlanned':
      // The plan's filters are the effective ones: the request's, plus what the query's words say.
      return {
        ...doc,
        filters: event.data.filters,
        plan: { detectors: event.data.detectors, phases: event.data.phases, rationale: event.data.rationale },
      };
    case 'PhaseStarted':
      return { ...doc, current_phase: event.data.phase };
    case 'ProgressReported':
      return {
        ...doc,
        progress: event.data.progress,
        records_processed: event.data.recordsProcessed,
        anomalies_detected: event.data.anomaliesDetected,
      };
    case 'AnomalyDetected':
      return { ...doc, anomalies: [...doc.anomalies, event.data.anomaly] };
    case 'TrendsUpdated':
    case 'TrendsAnalyzed':
      return { ...doc, trends: event.data.trends };
    case 'ReportDrafted':
      return { ...doc, report: event.data.markdown };
    case 'InvestigationCompleted':
      return {
        ...doc,
        status: 'completed',
        progress: 100,
        completed_at: event.data.completedAt,
        execution_time: formatExecutionTime(event.data.executionSeconds),
      };
    case 'InvestigationFailed':
      return {
        ...doc,
        status: 'failed',
        completed_at: event.data.failedAt,
        error: { error_code: event.data.errorCode, message: event.data.message },
      };
    case 'InvestigationCancelled':
      return { ...doc, status: 'cancelled', completed_at: event.data.cancelledAt, cancel_reason: event.data.reason };
    default:
      return assertNever(event, 'investigation event');
  }
}
