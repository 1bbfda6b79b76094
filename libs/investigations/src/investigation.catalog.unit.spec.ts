import { describe, expect, it } from '@jest/globals';
import { SCHEMA_VERSION, type EventMetadata, type RecordedEvent } from '#eventsourcing';
import { investigationEventCatalog } from './investigation.catalog.js';
import { investigationDecider } from './investigation.decider.js';
import type { InvestigationEvent } from './investigation.events.js';
import { evolveInvestigation, initialInvestigationState } from './investigation.state.js';

const META: EventMetadata = {
  eventId: 'e',
  commandId: 'c',
  correlationId: 'k',
  userId: 'ana',
  occurredAt: '2026-01-10T10:00:00.000Z',
};
const counts = {
  page: 3,
  progress: 85,
  currentPhase: 'analyzing_contracts',
  recordsProcessed: 300,
  anomaliesDetected: 2,
  totalEstimate: 300,
  at: '2026-01-10T10:00:00.000Z',
};
const stored = (type: string, data: unknown, metadata: EventMetadata = META, revision = 5): RecordedEvent => ({
  streamId: 'investigation-inv-1',
  revision,
  position: 40,
  type,
  data,
  metadata,
});

describe('the investigation catalog', () => {
  it('reads a version-1 ProgressReported, stored before versions were, with lastPage as sourceExhausted', () => {
    for (const lastPage of [true, false]) {
      const event = investigationEventCatalog.decode(stored('ProgressReported', { ...counts, lastPage }));
      expect(event.data).toEqual({ ...counts, sourceExhausted: lastPage });
    }
  });

  it('reads a version-2 ProgressReported as it is', () => {
    const data = { ...counts, sourceExhausted: true };
    const event = investigationEventCatalog.decode(stored('ProgressReported', data, { ...META, [SCHEMA_VERSION]: 2 }));
    expect(event.data).toEqual(data);
  });

  it('refuses a version-2 ProgressReported that still says lastPage, naming stream, revision and type', () => {
    const v2 = { ...META, [SCHEMA_VERSION]: 2 };
    expect(() =>
      investigationEventCatalog.decode(stored('ProgressReported', { ...counts, lastPage: true }, v2)),
    ).toThrow(
      'stream investigation-inv-1 revision 5 (ProgressReported): data does not match version 2: sourceExhausted',
    );
  });

  it('gives the state an exhausted source from a version-1 last page, so a resumed run reads no more pages', () => {
    const started = stored(
      'InvestigationStarted',
      {
        investigationId: 'inv-1',
        query: 'saúde',
        dataSource: 'contracts',
        filters: {},
        anomalyTypes: [],
        startedAt: META.occurredAt,
      },
      META,
      1,
    );
    const phase = stored('PhaseStarted', { phase: 'analyzing_contracts', previousPhase: null, at: META.occurredAt });
    const history: InvestigationEvent[] = [
      started,
      phase,
      stored('ProgressReported', { ...counts, lastPage: true }),
    ].map((event) => investigationEventCatalog.decode(event));
    const state = history.reduce(evolveInvestigation, initialInvestigationState());
    expect(state).toMatchObject({ pagesComplete: true, lastPage: 3, recordsProcessed: 300 });
    const batch = { page: 4, records: 10, anomalies: [], totalEstimate: 300, last: true };
    expect(
      investigationDecider.decide({ type: 'RecordBatch', data: batch, at: META.occurredAt, userId: 'ana' }, state),
    ).toEqual([]);
  });

  it('appends ProgressReported at version 2 and the other events as version 1', () => {
    const progress = investigationEventCatalog.encode(
      { type: 'ProgressReported', data: { ...counts, currentPhase: 'analyzing_contracts', sourceExhausted: false } },
      META,
    );
    expect(progress.metadata[SCHEMA_VERSION]).toBe(2);
    const report = investigationEventCatalog.encode({ type: 'ReportDrafted', data: { markdown: '#', at: 'x' } }, META);
    expect(report.metadata).toEqual(META);
  });
});
