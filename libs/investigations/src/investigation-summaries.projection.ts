import { SEVERITIES, type Severity } from '#analysis';
import { entityIdOf, type DocumentIndex, type Projection, type RecordedEvent, type Stored } from '#eventsourcing';
import { readInvestigationEvent } from './investigation-event.reader.js';
import type { InvestigationEvent } from './investigation.events.js';
import type { InvestigationPublicStatus } from './investigation.status.js';
import {
  emptyInvestigationSummary,
  evolveInvestigationSummary,
  type InvestigationSummary,
} from './investigation-summary.projection.js';

export const INVESTIGATION_SUMMARIES = 'investigation-summaries';

/** One row of GET /api/v1/investigations: what a dashboard's list shows. */
export interface InvestigationListItem {
  readonly investigation_id: string;
  readonly query: string;
  readonly status: InvestigationPublicStatus;
  readonly current_phase: string | null;
  readonly progress: number;
  readonly anomalies_by_severity: Readonly<Record<Severity, number>>;
  readonly started_at: string | null;
  readonly completed_at: string | null;
  readonly user_id: string | null;
  readonly last_event_id: number;
}

export function toInvestigationListItem(summary: InvestigationSummary): InvestigationListItem {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const anomaly of summary.anomalies) bySeverity[anomaly.severity] += 1;
  return {
    investigation_id: summary.investigation_id,
    query: summary.query,
    status: summary.status,
    current_phase: summary.current_phase,
    progress: summary.progress,
    anomalies_by_severity: bySeverity,
    started_at: summary.started_at,
    completed_at: summary.completed_at,
    user_id: summary.user_id,
    last_event_id: summary.last_event_id,
  };
}

/** One event of GET /api/v1/investigations/stream: a visible summary changed, in its latest state. */
export type InvestigationListWireEvent = { readonly type: 'investigation_summary' } & InvestigationListItem;

export const listWireEventOf = (summary: InvestigationSummary): InvestigationListWireEvent => ({
  type: 'investigation_summary',
  ...toInvestigationListItem(summary),
});

/** The columns the list filters on: owner, status, start time, and the query's words. */
export function investigationSummaryIndex(summary: InvestigationSummary): DocumentIndex {
  return {
    owner: summary.user_id,
    status: summary.status,
    sortAt: summary.started_at === null ? null : new Date(summary.started_at).toISOString(),
    search: summary.query.toLowerCase(),
  };
}

/** Every investigation's summary, kept with a checkpoint instead of folded per request. */
export const investigationSummariesProjection: Projection<Stored<InvestigationEvent>> = {
  name: INVESTIGATION_SUMMARIES,
  version: 1,
  collections: [INVESTIGATION_SUMMARIES],
  read: (event: RecordedEvent) => readInvestigationEvent(event),
  async handle(event, context) {
    const id = entityIdOf(event.streamId);
    const current = await context.get<InvestigationSummary>(INVESTIGATION_SUMMARIES, id);
    const next = evolveInvestigationSummary(current ?? emptyInvestigationSummary(id), event);
    context.put(INVESTIGATION_SUMMARIES, id, next, investigationSummaryIndex(next));
  },
};
