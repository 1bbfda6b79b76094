import { describe, expect, it } from '@jest/globals';
import { recordedEvent } from '#eventsourcing/testing';
import { investigationEventCatalog } from './investigation.catalog.js';
import { emptyInvestigationBrief, evolveInvestigationBrief } from './investigation-brief.projection.js';
import { anomalyOf } from './investigation.testing.js';

const stream = 'investigation-inv-1';
const stored = (revision: number, type: string, data: unknown) =>
  investigationEventCatalog.decode(
    recordedEvent(stream, revision, type, data, { occurredAt: `2026-03-01T10:00:0${revision}.000Z` }),
  );

const fold = (events: ReturnType<typeof stored>[]) =>
  events.reduce(evolveInvestigationBrief, emptyInvestigationBrief('inv-1'));

describe('investigation brief (the retained MQTT state)', () => {
  const opening = [
    stored(1, 'InvestigationStarted', {
      investigationId: 'inv-1',
      query: 'saúde',
      dataSource: 'contracts',
      filters: {},
      anomalyTypes: [],
      startedAt: 'x',
    }),
    stored(2, 'PhaseStarted', { phase: 'anomaly_detection', previousPhase: null, at: 'x' }),
    stored(3, 'AnomalyDetected', { anomaly: anomalyOf('high'), at: 'x' }),
    stored(4, 'AnomalyDetected', { anomaly: anomalyOf('critical'), at: 'x' }),
    // Stored at version 1 (`lastPage`), read upcast.
    stored(5, 'ProgressReported', {
      page: 1,
      progress: 40,
      currentPhase: 'anomaly_detection',
      recordsProcessed: 100,
      anomaliesDetected: 2,
      totalEstimate: null,
      lastPage: false,
      at: 'x',
    }),
  ];

  it('keeps status, phase, progress and anomaly counts as of the last event', () => {
    expect(fold(opening)).toEqual({
      investigation_id: 'inv-1',
      status: 'running',
      current_phase: 'anomaly_detection',
      progress: 40,
      records_processed: 100,
      anomalies_detected: 2,
      anomalies_by_severity: { low: 0, medium: 0, high: 1, critical: 1 },
      last_event_id: 5,
      updated_at: '2026-03-01T10:00:05.000Z',
    });
  });

  it('ends completed at 100 with the final counts, or failed, or cancelled', () => {
    const completed = fold([
      ...opening,
      stored(6, 'InvestigationCompleted', {
        totalAnomalies: 2,
        recordsProcessed: 250,
        executionSeconds: 3,
        completedAt: 'x',
      }),
    ]);
    expect(completed).toMatchObject({ status: 'completed', progress: 100, records_processed: 250, last_event_id: 6 });
    const failed = fold([
      ...opening,
      stored(6, 'InvestigationFailed', { errorCode: 'E', message: 'm', retryAfterSeconds: null, failedAt: 'x' }),
    ]);
    expect(failed.status).toBe('failed');
    const cancelled = fold([
      ...opening,
      stored(6, 'InvestigationCancelled', { reason: 'r', cancelledBy: 'ana', cancelledAt: 'x' }),
    ]);
    expect(cancelled).toMatchObject({ status: 'cancelled', progress: 40 });
  });
});
