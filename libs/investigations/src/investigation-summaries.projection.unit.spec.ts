import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '#eventsourcing';
import { projectInMemory, recordedEvent } from '#eventsourcing/testing';
import {
  INVESTIGATION_SUMMARIES,
  investigationSummariesProjection,
  toInvestigationListItem,
} from './investigation-summaries.projection.js';
import type { InvestigationSummary } from './investigation-summary.projection.js';
import { anomalyOf } from './investigation.testing.js';

const recorded = (streamId: string, revision: number, type: string, data: unknown): RecordedEvent =>
  recordedEvent(streamId, revision, type, data);

const project = (events: RecordedEvent[]) => projectInMemory(investigationSummariesProjection, events);

const stream = 'investigation-inv-1';
const started = recorded(stream, 1, 'InvestigationStarted', {
  investigationId: 'inv-1',
  query: 'Contratos de SAÚDE em 2025',
  dataSource: 'contracts',
  filters: {},
  anomalyTypes: [],
  startedAt: '2026-03-01T10:00:00.000Z',
});

describe('investigation summaries projection', () => {
  it('keeps the summary of each investigation, indexed by owner, status, start and query', async () => {
    const readModels = await project([
      started,
      recorded(stream, 2, 'PhaseStarted', { phase: 'anomaly_detection', previousPhase: null, at: 'x' }),
      // A version-1 progress (stored before `lastPage` became `sourceExhausted`): read upcast.
      recorded(stream, 3, 'ProgressReported', {
        page: 1,
        progress: 40,
        currentPhase: 'anomaly_detection',
        recordsProcessed: 10,
        anomaliesDetected: 2,
        totalEstimate: null,
        lastPage: false,
        at: '2026-03-01T10:00:01.000Z',
      }),
    ]);
    const stored = await readModels.get<InvestigationSummary>(INVESTIGATION_SUMMARIES, 'inv-1');
    expect(stored?.doc).toMatchObject({
      investigation_id: 'inv-1',
      status: 'running',
      current_phase: 'anomaly_detection',
      progress: 40,
      user_id: 'ana',
      last_event_id: 3,
    });
    expect(stored?.index).toEqual({
      owner: 'ana',
      status: 'running',
      sortAt: '2026-03-01T10:00:00.000Z',
      search: 'contratos de saúde em 2025',
    });
    expect(stored?.position).toBeGreaterThan(0);
  });

  it('counts anomalies by severity and marks the end, in the list item', async () => {
    const readModels = await project([
      started,
      recorded(stream, 2, 'AnomalyDetected', { anomaly: anomalyOf('high'), at: 'x' }),
      recorded(stream, 3, 'AnomalyDetected', { anomaly: anomalyOf('high'), at: 'x' }),
      recorded(stream, 4, 'AnomalyDetected', { anomaly: anomalyOf('low'), at: 'x' }),
      recorded(stream, 5, 'InvestigationCompleted', {
        totalAnomalies: 3,
        recordsProcessed: 10,
        executionSeconds: 2,
        completedAt: '2026-03-01T10:00:02.000Z',
      }),
    ]);
    const stored = await readModels.get<InvestigationSummary>(INVESTIGATION_SUMMARIES, 'inv-1');
    expect(stored && toInvestigationListItem(stored.doc)).toEqual({
      investigation_id: 'inv-1',
      query: 'Contratos de SAÚDE em 2025',
      status: 'completed',
      current_phase: null,
      progress: 100,
      anomalies_by_severity: { low: 1, medium: 0, high: 2, critical: 0 },
      started_at: '2026-03-01T10:00:00.000Z',
      completed_at: '2026-03-01T10:00:02.000Z',
      user_id: 'ana',
      last_event_id: 5,
    });
    expect(stored?.index.status).toBe('completed');
  });

  it('ignores events of other streams and event types it does not know', async () => {
    const readModels = await project([
      recorded('chat-s1', 1, 'MessageReceived', {}),
      recorded(stream, 1, 'SomethingElse', {}),
    ]);
    expect(await readModels.list({ collection: INVESTIGATION_SUMMARIES, limit: 10 })).toEqual([]);
  });
});
