import { describe, expect, it } from '@jest/globals';
import type { Anomaly, TrendReport } from '#analysis';
import { DomainError, foldEvents } from '#eventsourcing';
import {
  investigationDecider,
  type InvestigationCommand,
  type InvestigationEvent,
  type InvestigationState,
} from './index.js';

const AT = '2026-01-10T10:00:00.000Z';
const LATER = '2026-01-10T10:00:45.200Z';
const ID = 'inv-1';

type Body<T extends InvestigationCommand['type']> = Omit<Extract<InvestigationCommand, { type: T }>, 'at' | 'userId'>;
const cmd = <T extends InvestigationCommand['type']>(c: Body<T>, at = AT): InvestigationCommand =>
  ({ ...c, at, userId: 'ana' }) as InvestigationCommand;

const start = cmd<'StartInvestigation'>({
  type: 'StartInvestigation',
  data: { investigationId: ID, query: 'saúde', dataSource: 'contracts', filters: { orgao: '36000' }, anomalyTypes: [] },
});
const phase = (p: 'data_retrieval' | 'analyzing_contracts' | 'anomaly_detection' | 'generating_report') =>
  cmd<'BeginPhase'>({ type: 'BeginPhase', data: { phase: p } });
const anomaly = (id: string): Anomaly => ({
  anomaly_id: id,
  anomaly_type: 'price_deviation',
  severity: 'high',
  score: 0.8,
  contract_id: `c-${id}`,
  contract_ids: [`c-${id}`],
  explanation: 'Valor muito acima da mediana da categoria.',
  evidence: { z: 6.1 },
});
const batch = (page: number, anomalies: Anomaly[] = [], records = 100) =>
  cmd<'RecordBatch'>({ type: 'RecordBatch', data: { page, records, anomalies, totalEstimate: 200, last: page === 2 } });
const trends = {} as TrendReport;

/** given events, when command, then events (or error). */
function given(events: InvestigationEvent[]): {
  when: (c: InvestigationCommand) => readonly InvestigationEvent[];
  state: InvestigationState;
} {
  const state = foldEvents(investigationDecider, investigationDecider.initialState(), events);
  return { state, when: (c) => investigationDecider.decide(c, state) };
}

/** Runs commands one after another, folding each decision, as the actor does. */
function history(...commands: InvestigationCommand[]): InvestigationEvent[] {
  const events: InvestigationEvent[] = [];
  for (const c of commands) events.push(...given(events).when(c));
  return events;
}

describe('investigation decider', () => {
  it('starts a new investigation with the command time', () => {
    const events = given([]).when(start);
    expect(events).toEqual([
      {
        type: 'InvestigationStarted',
        data: {
          investigationId: ID,
          query: 'saúde',
          dataSource: 'contracts',
          filters: { orgao: '36000' },
          anomalyTypes: [],
          startedAt: AT,
        },
      },
    ]);
  });

  it('decides nothing when a start is redelivered', () => {
    expect(given(history(start)).when(start)).toEqual([]);
  });

  it('records each batch once, whatever the redeliveries', () => {
    const h = history(start, phase('data_retrieval'), phase('analyzing_contracts'), batch(1, [anomaly('a')]));
    expect(given(h).when(batch(1, [anomaly('a')]))).toEqual([]);
    const next = given(h).when(batch(2));
    expect(next.map((e) => e.type)).toEqual(['ProgressReported']);
    expect(next[0]).toMatchObject({ data: { page: 2, recordsProcessed: 200, anomaliesDetected: 1, progress: 85 } });
  });

  it('emits anomalies before the progress that counts them', () => {
    const h = history(start, phase('data_retrieval'), phase('analyzing_contracts'));
    const events = given(h).when(batch(1, [anomaly('a'), anomaly('b')]));
    expect(events.map((e) => e.type)).toEqual(['AnomalyDetected', 'AnomalyDetected', 'ProgressReported']);
    expect(events[2]).toMatchObject({
      data: { anomaliesDetected: 2, progress: 45, currentPhase: 'analyzing_contracts' },
    });
  });

  it("records Anita's trends so far with each page that carries them, between its anomalies and its progress", () => {
    const h = history(start, phase('data_retrieval'), phase('analyzing_contracts'));
    const soFar = { ...trends, totalContracts: 100 };
    const withTrends = cmd<'RecordBatch'>({
      type: 'RecordBatch',
      data: { page: 1, records: 100, anomalies: [anomaly('a')], totalEstimate: 200, last: false, trends: soFar },
    });
    const events = given(h).when(withTrends);
    expect(events.map((e) => e.type)).toEqual(['AnomalyDetected', 'TrendsUpdated', 'ProgressReported']);
    expect(events[1]).toEqual({ type: 'TrendsUpdated', data: { page: 1, trends: soFar, at: AT } });
    // A redelivered page records its trends no second time.
    expect(given([...h, ...events]).when(withTrends)).toEqual([]);
  });

  it('records nothing after the last page, so a resumed run adds no empty batch', () => {
    const h = history(start, phase('data_retrieval'), phase('analyzing_contracts'), batch(1), batch(2));
    expect(given(h).state.pagesComplete).toBe(true);
    expect(given(h).when(batch(3, [], 0))).toEqual([]);
  });

  it('refuses a batch that skips a page', () => {
    const h = history(start, phase('data_retrieval'), phase('analyzing_contracts'));
    expect(() => given(h).when(batch(3))).toThrow(DomainError);
  });

  it('never moves a phase backwards', () => {
    const h = history(start, phase('data_retrieval'), phase('analyzing_contracts'));
    expect(given(h).when(phase('data_retrieval'))).toEqual([]);
    expect(given(h).when(phase('anomaly_detection'))).toEqual([
      { type: 'PhaseStarted', data: { phase: 'anomaly_detection', previousPhase: 'analyzing_contracts', at: AT } },
    ]);
  });

  it('completes with the execution time and total anomalies', () => {
    const h = history(
      start,
      phase('data_retrieval'),
      phase('analyzing_contracts'),
      batch(1, [anomaly('a')]),
      phase('anomaly_detection'),
      cmd<'RecordFindings'>({ type: 'RecordFindings', data: { anomalies: [anomaly('b')], trends } }),
    );
    const done = given(h).when(
      cmd<'CompleteInvestigation'>({ type: 'CompleteInvestigation', data: { reportMarkdown: '# Relatório' } }, LATER),
    );
    expect(done.map((e) => e.type)).toEqual(['ReportDrafted', 'ProgressReported', 'InvestigationCompleted']);
    expect(done[2]).toEqual({
      type: 'InvestigationCompleted',
      data: { totalAnomalies: 2, recordsProcessed: 100, executionSeconds: 45.2, completedAt: LATER },
    });
  });

  it('refuses to complete before findings are recorded', () => {
    const h = history(start, phase('data_retrieval'));
    expect(() =>
      given(h).when(cmd<'CompleteInvestigation'>({ type: 'CompleteInvestigation', data: { reportMarkdown: '' } })),
    ).toThrow('findings');
  });

  it('cancels a running investigation once, and ignores work after it', () => {
    const cancel = cmd<'CancelInvestigation'>({
      type: 'CancelInvestigation',
      data: { investigationId: ID, reason: 'pedido do usuário' },
    });
    const h = history(start, phase('data_retrieval'), phase('analyzing_contracts'), cancel);
    expect(h.at(-1)).toEqual({
      type: 'InvestigationCancelled',
      data: { reason: 'pedido do usuário', cancelledBy: 'ana', cancelledAt: AT },
    });
    expect(given(h).when(cancel)).toEqual([]);
    expect(given(h).when(batch(1))).toEqual([]);
    expect(investigationDecider.isTerminal(given(h).state)).toBe(true);
  });

  it('refuses to cancel an investigation that does not exist', () => {
    const cancel = cmd<'CancelInvestigation'>({
      type: 'CancelInvestigation',
      data: { investigationId: ID, reason: 'x' },
    });
    expect(() => given([]).when(cancel)).toThrow(expect.objectContaining({ code: 'INVESTIGATION_NOT_FOUND' }));
  });

  it('fails a running investigation and nothing else', () => {
    const fail = cmd<'FailInvestigation'>({
      type: 'FailInvestigation',
      data: { errorCode: 'DATA_SOURCE_UNAVAILABLE', message: 'fora do ar', retryAfterSeconds: 30 },
    });
    expect(given([]).when(fail)).toEqual([]);
    expect(given(history(start)).when(fail)).toEqual([
      {
        type: 'InvestigationFailed',
        data: { errorCode: 'DATA_SOURCE_UNAVAILABLE', message: 'fora do ar', retryAfterSeconds: 30, failedAt: AT },
      },
    ]);
  });
});
