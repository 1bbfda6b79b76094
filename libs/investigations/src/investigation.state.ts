import type { AnomalyType, InvestigationFilters } from '#analysis';
import { assertNever } from '#eventsourcing';
import type { InvestigationEvent, InvestigationPhase } from './investigation.events.js';

import type { FinishedStatus } from './investigation.status.js';

export type InvestigationStatus = 'none' | 'running' | FinishedStatus;

export interface InvestigationState {
  readonly status: InvestigationStatus;
  readonly investigationId: string | null;
  readonly dataSource: string;
  readonly query: string;
  readonly filters: InvestigationFilters;
  readonly anomalyTypes: AnomalyType[];
  readonly startedAt: string | null;
  /** InvestigationStarted's notice: the report repeats it. */
  readonly notice: string | null;
  readonly planned: boolean;
  readonly phase: InvestigationPhase | null;
  /** Last page whose batch was recorded: a redelivered batch with page <= this changes nothing. */
  readonly lastPage: number;
  readonly recordsProcessed: number;
  readonly anomaliesDetected: number;
  readonly totalEstimate: number | null;
  /** The source's last page is recorded: nothing is left to read. */
  readonly pagesComplete: boolean;
  readonly findingsRecorded: boolean;
  readonly reportDrafted: boolean;
}

export const initialInvestigationState = (): InvestigationState => ({
  status: 'none',
  investigationId: null,
  dataSource: 'contracts',
  query: '',
  filters: {},
  anomalyTypes: [],
  startedAt: null,
  notice: null,
  planned: false,
  phase: null,
  lastPage: 0,
  recordsProcessed: 0,
  anomaliesDetected: 0,
  totalEstimate: null,
  pagesComplete: false,
  findingsRecorded: false,
  reportDrafted: false,
});

export function evolveInvestigation(state: InvestigationState, event: InvestigationEvent): InvestigationState {
  switch (event.type) {
    case 'InvestigationStarted': {
      const d = event.data;
      return {
        ...state,
        status: 'running',
        investigationId: d.investigationId,
        query: d.query,
        dataSource: d.dataSource,
        filters: d.filters,
        anomalyTypes: d.anomalyTypes,
        startedAt: d.startedAt,
        notice: d.notice ?? null,
      };
    }
    case 'InvestigationPlanned':
      return { ...state, planned: true, filters: event.data.filters };
    case 'PhaseStarted':
      return { ...state, phase: event.data.phase };
    case 'ProgressReported':
      return {
        ...state,
        lastPage: Math.max(state.lastPage, event.data.page),
        recordsProcessed: event.data.recordsProcessed,
        anomaliesDetected: event.data.anomaliesDetected,
        totalEstimate: event.data.totalEstimate,
        pagesComplete: state.pagesComplete || event.data.sourceExhausted,
      };
    case 'AnomalyDetected':
    case 'TrendsUpdated':
      return state;
    case 'TrendsAnalyzed':
      return { ...state, findingsRecorded: true };
    case 'ReportDrafted':
      return { ...state, reportDrafted: true };
    case 'InvestigationCompleted':
      return { ...state, status: 'completed' };
    case 'InvestigationFailed':
      return { ...state, status: 'failed' };
    case 'InvestigationCancelled':
      return { ...state, status: 'cancelled' };
    default:
      return assertNever(event, 'investigation event');
  }
}
