import type { Anomaly, AnomalyType, InvestigationFilters, TrendReport } from '#analysis';
import type { InvestigationPhase } from './investigation.events.js';

/** Commands the API sends over the bus. */
export interface StartInvestigation {
  readonly type: 'StartInvestigation';
  readonly data: {
    readonly investigationId: string;
    readonly query: string;
    readonly dataSource: string;
    readonly filters: InvestigationFilters;
    readonly anomalyTypes: AnomalyType[];
    /** Set by the worker that starts it: what a client must know about the data (synthetic contracts standing in). */
    readonly notice?: string;
  };
}
export interface CancelInvestigation {
  readonly type: 'CancelInvestigation';
  readonly data: { readonly investigationId: string; readonly reason: string };
}
/** Sent by the investigation-run workflow once the start is recorded: the long analysis run, redelivered elsewhere if its worker dies. */
export interface RunInvestigation {
  readonly type: 'RunInvestigation';
  readonly data: { readonly investigationId: string };
}
export type InvestigationBusCommand = StartInvestigation | CancelInvestigation | RunInvestigation;

/** Facts the analysis run reports to its actor; the decider makes them events, once each. */
export type RecordPlan = {
  readonly type: 'RecordPlan';
  readonly data: { detectors: AnomalyType[]; rationale: string; filters: InvestigationFilters };
};
export type BeginPhase = { readonly type: 'BeginPhase'; readonly data: { phase: InvestigationPhase } };
export type RecordBatch = {
  readonly type: 'RecordBatch';
  /** `last`: the source has no page after this one; `trends`: Anita's, over every page through this one. */
  readonly data: {
    page: number;
    records: number;
    anomalies: Anomaly[];
    totalEstimate: number | null;
    last: boolean;
    trends?: TrendReport;
  };
};
export type RecordFindings = {
  readonly type: 'RecordFindings';
  readonly data: { anomalies: Anomaly[]; trends: TrendReport };
};
export type CompleteInvestigation = {
  readonly type: 'CompleteInvestigation';
  readonly data: { reportMarkdown: string };
};
export type FailInvestigation = {
  readonly type: 'FailInvestigation';
  readonly data: { errorCode: string; message: string; retryAfterSeconds: number | null };
};

/** What the decider accepts; `at` is the caller's clock, so `decide` stays pure. */
export type InvestigationCommand = (
  | Exclude<InvestigationBusCommand, RunInvestigation>
  | RecordPlan
  | BeginPhase
  | RecordBatch
  | RecordFindings
  | CompleteInvestigation
  | FailInvestigation
) & { readonly at: string; readonly userId: string };
