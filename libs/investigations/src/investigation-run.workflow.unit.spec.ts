import { describe, expect, it } from '@jest/globals';
import { complete, send, type Stored } from '#eventsourcing';
import { recordedEvent, WorkflowSpecification } from '#eventsourcing/testing';
import type { InvestigationStarted } from './investigation.events.js';
import { investigationRunWorkflow } from './investigation-run.workflow.js';

const ID = '0b6c3a52-1f0e-4c55-9f4e-2f1f8f3c2a10';
const stream = `investigation-${ID}`;
const startedData = {
  investigationId: ID,
  query: 'saúde',
  dataSource: 'contracts',
  filters: {},
  anomalyTypes: [],
  startedAt: '2026-03-01T10:00:00.000Z',
};
const started = investigationRunWorkflow.read(
  recordedEvent(stream, 1, 'InvestigationStarted', startedData),
) as Stored<InvestigationStarted>;
const given = WorkflowSpecification.for(investigationRunWorkflow);

describe('investigation run workflow', () => {
  it('sends the one RunInvestigation of a started investigation, and is done', () => {
    given()
      .when(started)
      .then([
        send({ to: { aggregate: 'investigation', id: ID }, type: 'RunInvestigation', data: { investigationId: ID } }),
        complete(),
      ]);
  });

  it('reads only starts of investigation streams, the start being the instance of its investigation', () => {
    expect(investigationRunWorkflow.instanceOf(started)).toBe(ID);
    const phase = { phase: 'data_retrieval', previousPhase: null, at: 'x' };
    expect(investigationRunWorkflow.read(recordedEvent(stream, 2, 'PhaseStarted', phase))).toBeNull();
    expect(
      investigationRunWorkflow.read(recordedEvent(`chat-${ID}`, 1, 'InvestigationStarted', startedData)),
    ).toBeNull();
  });
});
