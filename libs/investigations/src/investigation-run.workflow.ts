import { complete, entityIdOf, send, type Stored, type Workflow, type WorkflowCommand } from '#eventsourcing';
import type { RunInvestigation } from './investigation.commands.js';
import type { InvestigationEvent, InvestigationStarted } from './investigation.events.js';
import { readInvestigationEvent } from './investigation-event.reader.js';

export type RunInvestigationCommand = WorkflowCommand<RunInvestigation['type'], RunInvestigation['data']>;

const isStart = (event: Stored<InvestigationEvent> | null): event is Stored<InvestigationStarted> =>
  event?.type === 'InvestigationStarted';

/**
 * An investigation that started is run: its start, recorded once however often the
 * StartInvestigation command is delivered, sends the one long RunInvestigation command,
 * which a worker's runner carries page by page (and another worker resumes if it dies).
 */
export const investigationRunWorkflow: Workflow<Stored<InvestigationStarted>, null, RunInvestigationCommand> = {
  name: 'investigation-run',
  read: (event) => {
    if (event.type !== 'InvestigationStarted') return null;
    const typed = readInvestigationEvent(event);
    return isStart(typed) ? typed : null;
  },
  instanceOf: (started) => entityIdOf(started.streamId),
  initialState: () => null,
  decide: (started) => {
    const investigationId = entityIdOf(started.streamId);
    return [
      send({
        to: { aggregate: 'investigation', id: investigationId },
        type: 'RunInvestigation',
        data: { investigationId },
      }),
      complete(),
    ];
  },
  evolve: (state) => state,
};
