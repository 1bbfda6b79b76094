import type { Anomaly, AnomalyType, InvestigationFilters, InvestigationPhase, TrendReport } from '#analysis';
import type { DomainEvent } from '#eventsourcing';

// The phases are the planner's (Abaporu plans them); the events record them.
export { INVESTIGATION_PHASES, type InvestigationPhase } from '#analysis';

export type InvestigationStarted = DomainEvent<
  'InvestigationStarted',
  {
    investigationId: string;
    query: string;
    dataSource: string;
    filters: InvestigationFilters;
    anomalyTypes: AnomalyType[];
    startedAt: string;
    /** What a client must know about the data, e.g. synthetic contracts standing in for the Portal's. */
    notice?: string;
  }
>;
/** Abaporu's plan: which detectors run, in which phases. */
export type InvestigationPlanned = DomainEvent<
  'InvestigationPlanned',
  { detectors: AnomalyType[]; phases: InvestigationPhase[]; rationale: string; filters: InvestigationFilters }
>;
export type PhaseStarted = DomainEvent<
  'PhaseStarted',
  { phase: InvestigationPhase; previousPhase: InvestigationPhase | null; at: string }
>;
export type ProgressReported = DomainEvent<
  'ProgressReported',
  {
    page: number;
    progress: number;
    currentPhase: InvestigationPhase;
    recordsProcessed: number;
    anomaliesDetected: number;
    totalEstimate: number | null;
    /**
     * No page of the source is left to read: set on the last page's progress and on every
     * progress after it. Version 1 called it `lastPage` (see investigation.catalog.ts).
     */
    sourceExhausted: boolean;
    at: string;
  }
>;
/** Zumbi's finding. */
export type AnomalyDetected = DomainEvent<'AnomalyDetected', { anomaly: Anomaly; at: string }>;
/** Anita's trends over the pages read so far, recorded with each page so charts grow as pages arrive. */
export type TrendsUpdated = DomainEvent<'TrendsUpdated', { page: number; trends: TrendReport; at: string }>;
/** Anita's trend analysis. */
export type TrendsAnalyzed = DomainEvent<'TrendsAnalyzed', { trends: TrendReport; at: string }>;
/** Tiradentes' report, markdown in Portuguese. */
export type ReportDrafted = DomainEvent<'ReportDrafted', { markdown: string; at: string }>;
export type InvestigationCompleted = DomainEvent<
  'InvestigationCompleted',
  { totalAnomalies: number; recordsProcessed: number; executionSeconds: number; completedAt: string }
>;
export type InvestigationFailed = DomainEvent<
  'InvestigationFailed',
  { errorCode: string; message: string; retryAfterSeconds: number | null; failedAt: string }
>;
export type InvestigationCancelled = DomainEvent<
  'InvestigationCancelled',
  { reason: string; cancelledBy: string; cancelledAt: string }
>;

export type InvestigationEvent =
  | InvestigationStarted
  | InvestigationPlanned
  | PhaseStarted
  | ProgressReported
  | AnomalyDetected
  | TrendsUpdated
  | TrendsAnalyzed
  | ReportDrafted
  | InvestigationCompleted
  | InvestigationFailed
  | InvestigationCancelled;

export type InvestigationEventType = InvestigationEvent['type'];

export const TERMINAL_EVENT_TYPES: ReadonlySet<string> = new Set<InvestigationEventType>([
  'InvestigationCompleted',
  'InvestigationFailed',
  'InvestigationCancelled',
]);

export const investigationStreamId = (investigationId: string): string => `investigation-${investigationId}`;
export const INVESTIGATION_CATEGORY = 'investigation';
