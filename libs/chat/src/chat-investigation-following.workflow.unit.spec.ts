import { describe, expect, it } from '@jest/globals';
import { complete, schedule, send, type RecordedEvent } from '#eventsourcing';
import { recordedEvent, WorkflowSpecification } from '#eventsourcing/testing';
import {
  chatInvestigationFollowingWorkflow as workflow,
  INVESTIGATION_START_TIMEOUT_MS,
  type ChatFollowInput,
} from './chat-investigation-following.workflow.js';
import { ANOMALIES_ANNOUNCED_LIVE, narrateInvestigationEvent } from './compose/investigation-narration.js';
import { chunkAnswer } from './text/answer.chunker.js';
import type { ChatMessageState } from './chat.state.js';
import { overtakesReport } from './chat.state.js';

const ID = '0b6c3a52-1f0e-4c55-9f4e-2f1f8f3c2a10';
const SESSION = 's-1';
const M = 'm-1';
const AT = '2026-03-01T10:00:00.000Z';
const to = { aggregate: 'chat', id: SESSION };
const given = WorkflowSpecification.for(workflow);

const input = (event: RecordedEvent): ChatFollowInput => {
  const read = workflow.read(event);
  if (!read) throw new Error(`${event.type} is not an input`);
  return read;
};
const link = input(
  recordedEvent(`chat-${SESSION}`, 5, 'InvestigationLinked', { messageId: M, investigationId: ID, at: AT }),
);
const investigation = (revision: number, type: string, data: unknown) =>
  input(recordedEvent(`investigation-${ID}`, revision, type, data));
const started = investigation(1, 'InvestigationStarted', {
  investigationId: ID,
  query: 'saúde',
  dataSource: 'contracts',
  filters: {},
  anomalyTypes: [],
  startedAt: AT,
});
const phase = investigation(2, 'PhaseStarted', { phase: 'data_retrieval', previousPhase: null, at: AT });
const lastProgress = investigation(3, 'ProgressReported', {
  page: 1,
  progress: 95,
  currentPhase: 'generating_report',
  recordsProcessed: 10,
  anomaliesDetected: 0,
  totalEstimate: null,
  lastPage: true, // stored as version 1, read upcast
  at: AT,
});
const anomaly = (revision: number) =>
  investigation(revision, 'AnomalyDetected', {
    anomaly: {
      anomaly_id: `a-${revision}`,
      anomaly_type: 'price_deviation',
      severity: 'high',
      score: 0.9,
      contract_id: `k-${revision}`,
      contract_ids: [`k-${revision}`],
      explanation: 'preço acima da mediana',
      evidence: {},
    },
    at: AT,
  });
const completed = investigation(9, 'InvestigationCompleted', {
  totalAnomalies: 0,
  recordsProcessed: 10,
  executionSeconds: 1.5,
  completedAt: AT,
});
const deadline: ChatFollowInput = { type: 'StartDeadline', data: { investigationId: ID } };
const told = (event: ChatFollowInput, ordinal = 0) =>
  chunkAnswer(narrateInvestigationEvent(event as never, ID, ordinal) ?? '');

describe('chat investigation following workflow', () => {
  it('waits a minute from the link for the investigation to start', () => {
    const at = new Date(Date.parse(AT) + INVESTIGATION_START_TIMEOUT_MS).toISOString();
    given()
      .when(link)
      .then([schedule(deadline, at)]);
    given([link]).when(link).thenNothingHappened();
    expect([link, started, deadline].map((i) => workflow.instanceOf(i))).toEqual([ID, ID, ID]);
  });

  it('fails the answer when the investigation has not started by then', () => {
    given([link])
      .when(deadline)
      .then([
        send({
          to,
          type: 'FailResponse',
          data: {
            messageId: M,
            errorCode: 'INVESTIGATION_NOT_STARTED',
            message: 'A investigação não começou; tente novamente.',
            retryAfterSeconds: 30,
          },
        }),
        complete(),
      ]);
    given([link, started]).when(deadline).thenNothingHappened();
  });

  it('reports each event worth a line after the previous one it reported', () => {
    given([link])
      .when(started)
      .then([
        send({
          to,
          type: 'ReportInvestigation',
          data: { messageId: M, after: 0, segments: [{ revision: 1, contents: told(started) }] },
        }),
      ]);
    given([link, started])
      .when(phase)
      .then([
        send({
          to,
          type: 'ReportInvestigation',
          data: { messageId: M, after: 1, segments: [{ revision: 2, contents: told(phase) }] },
        }),
      ]);
    // Not worth a line: nothing sent, and the next report still follows revision 2.
    given([link, started, phase]).when(lastProgress).thenNothingHappened();
    given([link, started, phase, lastProgress])
      .when(completed)
      .then([
        send({
          to,
          type: 'ReportInvestigation',
          data: { messageId: M, after: 2, segments: [{ revision: 9, contents: told(completed) }] },
        }),
        send({ to, type: 'CompleteResponse', data: { messageId: M, after: 9 } }),
        complete(),
      ]);
  });

  it('tells the first anomalies in full and leaves the rest to the report', () => {
    const N = ANOMALIES_ANNOUNCED_LIVE;
    // Revisions 2…N+1: the anomalies numbered 1…N.
    const anomalies = Array.from({ length: N }, (_, i) => anomaly(2 + i));
    const last = anomalies[N - 1] as ChatFollowInput;
    const segments = [{ revision: N + 1, contents: told(last, N) }];
    given([link, started, ...anomalies.slice(0, -1)])
      .when(last)
      .then([send({ to, type: 'ReportInvestigation', data: { messageId: M, after: N, segments } })]);
    given([link, started, ...anomalies])
      .when(anomaly(N + 2))
      .thenNothingHappened();
  });

  it('ignores investigations no chat message linked', () => {
    given().when(started).thenNothingHappened();
    given().when(completed).thenNothingHappened();
    const initial = workflow.initialState();
    expect(workflow.evolve(initial, started)).toBe(initial);
  });
});

describe('a follow report on the bus', () => {
  const message = (status: ChatMessageState['status'], followedRevision: number) =>
    ({ status, followedRevision }) as ChatMessageState;

  it('waits for the report it comes after while the answer is being told', () => {
    expect(overtakesReport(message('routed', 1), 2)).toBe(true);
    expect(overtakesReport(message('routed', 2), 2)).toBe(false);
    expect(overtakesReport(message('completed', 0), 2)).toBe(false);
  });
});
