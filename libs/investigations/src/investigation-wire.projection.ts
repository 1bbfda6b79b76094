import { assertNever, type Stored } from '#eventsourcing';
import type { InvestigationEvent } from './investigation.events.js';

/** The seed document's investigation stream events, as sent on SSE and WebSocket. */
export type InvestigationWireEvent =
  | {
      type: 'progress';
      investigation_id: string;
      progress: number;
      current_phase: string;
      records_processed: number;
      anomalies_detected: number;
      timestamp: string;
      /** On the first event only, when the data needs a word: e.g. synthetic contracts without a Portal key. */
      notice?: string;
    }
  | { type: 'phase'; investigation_id: string; phase: string; previous_phase: string | null; timestamp: string }
  | {
      type: 'anomaly';
      investigation_id: string;
      anomaly_id: string;
      anomaly_type: string;
      severity: string;
      contract_id: string;
      details: Record<string, unknown>;
      timestamp: string;
    }
  | {
      type: 'complete';
      investigation_id: string;
      total_anomalies: number;
      records_processed: number;
      execution_time: string;
      timestamp: string;
    }
  | {
      type: 'error';
      investigation_id: string;
      error_code: string;
      message: string;
      fallback_endpoint: string;
      retry_after: number | null;
      timestamp: string;
    }
  | { type: 'cancelled'; investigation_id: string; reason: string; timestamp: string }
  | {
      type: 'trends';
      investigation_id: string;
      page: number;
      months: { month: string; count: number; value: number }[];
      total_contracts: number;
      total_value: number;
      summary: string;
      timestamp: string;
    };

/** The wire events an investigation stream ends with, one for each way it finishes. */
export const FINAL_WIRE_TYPES: ReadonlySet<string> = new Set<InvestigationWireEvent['type']>([
  'complete',
  'error',
  'cancelled',
]);

/** "45.2s", as the seed's `complete` event shows it. */
export function formatExecutionTime(seconds: number): string {
  return `${(Math.round(seconds * 10) / 10).toFixed(1)}s`;
}

const idOf = (event: Stored<InvestigationEvent>): string => event.streamId.replace(/^investigation-/, '');

/**
 * Maps a stored event to what clients see, or null for events that only feed the read
 * model (plan, final trends, report). Skipped events still consume an id, so ids stay revisions.
 */
export function toInvestigationWireEvent(event: Stored<InvestigationEvent>): InvestigationWireEvent | null {
  const investigation_id = idOf(event);
  const timestamp = event.metadata.occurredAt;
  switch (event.type) {
    case 'InvestigationStarted':
      return {
        type: 'progress',
        investigation_id,
        progress: 0,
        current_phase: 'started',
        records_processed: 0,
        anomalies_detected: 0,
        timestamp,
        ...(event.data.notice === undefined ? {} : { notice: event.data.notice }),
      };
    case 'PhaseStarted':
      return {
        type: 'phase',
        investigation_id,
        phase: event.data.phase,
        previous_phase: event.data.previousPhase,
        timestamp,
      };
    case 'ProgressReported':
      return {
        type: 'progress',
        investigation_id,
        progress: event.data.progress,
        current_phase: event.data.currentPhase,
        records_processed: event.data.recordsProcessed,
        anomalies_detected: event.data.anomaliesDetected,
        timestamp,
      };
    case 'AnomalyDetected': {
      const a = event.data.anomaly;
      return {
        type: 'anomaly',
        investigation_id,
        anomaly_id: a.anomaly_id,
        anomaly_type: a.anomaly_type,
        severity: a.severity,
        contract_id: a.contract_id,
        details: { score: a.score, explanation: a.explanation, contract_ids: a.contract_ids, evidence: a.evidence },
        timestamp,
      };
    }
    case 'InvestigationCompleted':
      return {
        type: 'complete',
        investigation_id,
        total_anomalies: event.data.totalAnomalies,
        records_processed: event.data.recordsProcessed,
        execution_time: formatExecutionTime(event.data.executionSeconds),
        timestamp,
      };
    case 'InvestigationFailed':
      return {
        type: 'error',
        investigation_id,
        error_code: event.data.errorCode,
        message: event.data.message,
        fallback_endpoint: `/api/v1/investigations/${investigation_id}`,
        retry_after: event.data.retryAfterSeconds,
        timestamp,
      };
    case 'InvestigationCancelled':
      return { type: 'cancelled', investigation_id, reason: event.data.reason, timestamp };
    case 'TrendsUpdated': {
      const { trends } = event.data;
      return {
        type: 'trends',
        investigation_id,
        page: event.data.page,
        months: trends.months.map(({ month, count, value }) => ({ month, count, value })),
        total_contracts: trends.totalContracts,
        total_value: trends.totalValue,
        summary: trends.summary,
        timestamp,
      };
    }
    case 'InvestigationPlanned':
    case 'TrendsAnalyzed':
    case 'ReportDrafted':
      return null;
    default:
      return assertNever(event, 'investigation event');
  }
}
