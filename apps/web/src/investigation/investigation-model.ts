import type { InvestigationWireEvent } from '@cidadao-ai/client';

export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** One row of the anomaly table. */
export interface AnomalyRow {
  readonly eventId: string | undefined;
  readonly anomalyId: string;
  readonly type: string;
  readonly severity: Severity;
  readonly contractId: string;
  readonly score: number | null;
  readonly value: number | null;
  readonly explanation: string;
  readonly evidence: Readonly<Record<string, number | string>>;
}

export type Outcome =
  | { readonly kind: 'running' }
  | { readonly kind: 'completed'; readonly total: number; readonly time: string }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'cancelled'; readonly reason: string };

/** Anita's monthly spend over the pages read so far. */
export interface TrendsSoFar {
  readonly page: number;
  readonly months: readonly { readonly month: string; readonly value: number }[];
  readonly summary: string;
}

/** What the investigation view shows, folded from the wire events in stream order. */
export interface InvestigationView {
  readonly lastEventId: number;
  readonly progress: number;
  readonly phase: string;
  readonly records: number;
  readonly anomalies: readonly AnomalyRow[];
  /** From the `trends` event of the last page read; null before the first (or on streams recorded without them). */
  readonly trends: TrendsSoFar | null;
  readonly outcome: Outcome;
}

export const EMPTY_VIEW: InvestigationView = {
  lastEventId: 0,
  progress: 0,
  phase: 'started',
  records: 0,
  anomalies: [],
  trends: null,
  outcome: { kind: 'running' },
};

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

function evidenceOf(raw: unknown): Record<string, number | string> {
  if (typeof raw !== 'object' || raw === null) return {};
  return Object.fromEntries(
    Object.entries(raw).filter((entry): entry is [string, number | string] =>
      ['number', 'string'].includes(typeof entry[1]),
    ),
  );
}

/** The contract value an anomaly is about, when its evidence names one. */
function valueOf(evidence: Readonly<Record<string, number | string>>): number | null {
  for (const key of ['value', 'final_value', 'total_value', 'vendor_value']) {
    const value = evidence[key];
    if (typeof value === 'number') return value;
  }
  return null;
}

export function anomalyRowOf(
  id: string | undefined,
  event: Extract<InvestigationWireEvent, { type: 'anomaly' }>,
): AnomalyRow {
  const details = event.details;
  const evidence = evidenceOf(details.evidence);
  return {
    eventId: id,
    anomalyId: event.anomaly_id,
    type: event.anomaly_type,
    severity: event.severity,
    contractId: event.contract_id,
    score: typeof details.score === 'number' ? details.score : null,
    value: valueOf(evidence),
    explanation: typeof details.explanation === 'string' ? details.explanation : '',
    evidence,
  };
}

/**
 * One event more. An event at or before the last one folded is ignored and an anomaly id
 * already shown is not shown again, so a stream that resumes or replays twice adds no row twice.
 */
export function evolveView(
  view: InvestigationView,
  id: string | undefined,
  event: InvestigationWireEvent,
): InvestigationView {
  const revision = id === undefined ? null : Number(id);
  if (revision !== null && revision <= view.lastEventId) return view;
  const next = { ...view, lastEventId: revision ?? view.lastEventId };
  switch (event.type) {
    case 'progress':
      return { ...next, progress: event.progress, phase: event.current_phase, records: event.records_processed };
    case 'phase':
      return { ...next, phase: event.phase };
    case 'anomaly': {
      if (view.anomalies.some((row) => row.anomalyId === event.anomaly_id)) return next;
      const anomalies = [...view.anomalies, anomalyRowOf(id, event)].sort(
        (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity],
      );
      return { ...next, anomalies };
    }
    case 'trends':
      return {
        ...next,
        trends: {
          page: event.page,
          months: event.months.map(({ month, value }) => ({ month, value })),
          summary: event.summary,
        },
      };
    case 'complete':
      return {
        ...next,
        progress: 100,
        records: event.records_processed,
        outcome: { kind: 'completed', total: event.total_anomalies, time: event.execution_time },
      };
    case 'error':
      return { ...next, outcome: { kind: 'failed', message: event.message } };
    case 'cancelled':
      return { ...next, outcome: { kind: 'cancelled', reason: event.reason } };
    default:
      return next;
  }
}
