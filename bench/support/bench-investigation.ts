import { randomUUID } from 'node:crypto';
import type { NewEvent } from '#eventsourcing';
import { investigationEventCatalog, type InvestigationEvent } from '#investigations';

export interface BenchInvestigationOptions {
  /** Progress reports, one a page of 100 records. */
  readonly pages: number;
  readonly query?: string;
  /** When every event of it happened. */
  readonly at?: string;
  /** Ends with InvestigationCompleted. */
  readonly completed?: boolean;
}

/** An investigation's events as the workers write them: started, a progress report a page, maybe completed. */
export function benchInvestigation(id: string, options: BenchInvestigationOptions): NewEvent[] {
  const { pages, query = 'bench', at = new Date().toISOString(), completed = false } = options;
  const encode = (event: InvestigationEvent): NewEvent =>
    investigationEventCatalog.encode(event, {
      eventId: randomUUID(),
      commandId: randomUUID(),
      correlationId: randomUUID(),
      userId: 'bench',
      occurredAt: at,
    });
  const started = { investigationId: id, query, dataSource: 'synthetic', filters: {}, anomalyTypes: [], startedAt: at };
  const events = [encode({ type: 'InvestigationStarted', data: started })];
  for (let page = 1; page <= pages; page++)
    events.push(
      encode({
        type: 'ProgressReported',
        data: {
          page,
          progress: Math.round((page / pages) * 90),
          currentPhase: 'analyzing_contracts',
          recordsProcessed: page * 100,
          anomaliesDetected: 0,
          totalEstimate: pages * 100,
          sourceExhausted: page === pages,
          at,
        },
      }),
    );
  if (completed) {
    const done = { totalAnomalies: 0, recordsProcessed: pages * 100, executionSeconds: 1, completedAt: at };
    events.push(encode({ type: 'InvestigationCompleted', data: done }));
  }
  return events;
}
