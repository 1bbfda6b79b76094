import { DomainError, assertNever, type Decider } from '#eventsourcing';
import type { InvestigationCommand } from './investigation.commands.js';
import { INVESTIGATION_PHASES, type InvestigationEvent, type InvestigationPhase } from './investigation.events.js';
import { analysisFraction, progressPercent } from './investigation.progress.js';
import { isFinishedStatus } from './investigation.status.js';
import { evolveInvestigation, initialInvestigationState, type InvestigationState } from './investigation.state.js';

type Decided = readonly InvestigationEvent[];
const NOTHING: Decided = [];

const isTerminal = (state: InvestigationState): boolean => isFinishedStatus(state.status);

const phaseIndex = (phase: InvestigationPhase | null): number => (phase ? INVESTIGATION_PHASES.indexOf(phase) : -1);

/**
 * Every command is idempotent: a redelivered command, or a batch already recorded, decides
 * nothing, so replays after a crash never duplicate events.
 */
export function decideInvestigation(command: InvestigationCommand, state: InvestigationState): Decided {
  switch (command.type) {
    case 'StartInvestigation':
      if (state.status !== 'none') return NOTHING;
      return [{ type: 'InvestigationStarted', data: { ...command.data, startedAt: command.at } }];
    case 'CancelInvestigation':
      if (state.status === 'none')
        throw new DomainError(
          'INVESTIGATION_NOT_FOUND',
          `investigation ${command.data.investigationId} does not exist`,
        );
      if (isTerminal(state)) return NOTHING;
      return [
        {
          type: 'InvestigationCancelled',
          data: { reason: command.data.reason, cancelledBy: command.userId, cancelledAt: command.at },
        },
      ];
    case 'RecordPlan':
      if (state.status !== 'running' || state.planned) return NOTHING;
      return [{ type: 'InvestigationPlanned', data: { ...command.data, phases: [...INVESTIGATION_PHASES] } }];
    case 'BeginPhase':
      if (state.status !== 'running' || phaseIndex(command.data.phase) <= phaseIndex(state.phase)) return NOTHING;
      return [
        { type: 'PhaseStarted', data: { phase: command.data.phase, previousPhase: state.phase, at: command.at } },
      ];
    case 'RecordBatch':
      return decideBatch(command, state);
    case 'RecordFindings':
      return decideFindings(command, state);
    case 'CompleteInvestigation':
      return decideCompletion(command, state);
    case 'FailInvestigation':
      if (state.status !== 'running') return NOTHING;
      return [{ type: 'InvestigationFailed', data: { ...command.data, failedAt: command.at } }];
    default:
      return assertNever(command, 'investigation command');
  }
}

function decideBatch(
  command: Extract<InvestigationCommand, { type: 'RecordBatch' }>,
  state: InvestigationState,
): Decided {
  if (state.status !== 'running' || state.pagesComplete || command.data.page <= state.lastPage) return NOTHING;
  if (command.data.page !== state.lastPage + 1) {
    throw new DomainError('PAGE_OUT_OF_ORDER', `page ${command.data.page} arrived before page ${state.lastPage + 1}`);
  }
  if (state.phase !== 'analyzing_contracts') {
    throw new DomainError(
      'WRONG_PHASE',
      `batches are recorded while analyzing contracts, not in ${state.phase ?? 'no phase'}`,
    );
  }
  const recordsProcessed = state.recordsProcessed + command.data.records;
  const anomaliesDetected = state.anomaliesDetected + command.data.anomalies.length;
  const fraction = analysisFraction(recordsProcessed, command.data.totalEstimate, command.data.page);
  return [
    ...command.data.anomalies.map((anomaly): InvestigationEvent => ({
      type: 'AnomalyDetected',
      data: { anomaly, at: command.at },
    })),
    ...(command.data.trends === undefined
      ? []
      : [
          {
            type: 'TrendsUpdated',
            data: { page: command.data.page, trends: command.data.trends, at: command.at },
          } satisfies InvestigationEvent,
        ]),
    {
      type: 'ProgressReported',
      data: {
        page: command.data.page,
        progress: progressPercent('analyzing_contracts', fraction),
        currentPhase: 'analyzing_contracts',
        recordsProcessed,
        anomaliesDetected,
        totalEstimate: command.data.totalEstimate,
        sourceExhausted: command.data.last,
        at: command.at,
      },
    },
  ];
}

function decideFindings(
  command: Extract<InvestigationCommand, { type: 'RecordFindings' }>,
  state: InvestigationState,
): Decided {
  if (state.status !== 'running' || state.findingsRecorded) return NOTHING;
  const anomaliesDetected = state.anomaliesDetected + command.data.anomalies.length;
  return [
    ...command.data.anomalies.map((anomaly): InvestigationEvent => ({
      type: 'AnomalyDetected',
      data: { anomaly, at: command.at },
    })),
    { type: 'TrendsAnalyzed', data: { trends: command.data.trends, at: command.at } },
    {
      type: 'ProgressReported',
      data: {
        page: state.lastPage,
        progress: progressPercent('anomaly_detection', 1),
        currentPhase: state.phase ?? 'anomaly_detection',
        recordsProcessed: state.recordsProcessed,
        anomaliesDetected,
        totalEstimate: state.totalEstimate,
        sourceExhausted: true,
        at: command.at,
      },
    },
  ];
}

function decideCompletion(
  command: Extract<InvestigationCommand, { type: 'CompleteInvestigation' }>,
  state: InvestigationState,
): Decided {
  if (state.status !== 'running') return NOTHING;
  if (!state.findingsRecorded)
    throw new DomainError('FINDINGS_MISSING', 'an investigation completes only after its findings are recorded');
  const executionSeconds = Math.max(0, (Date.parse(command.at) - Date.parse(state.startedAt ?? command.at)) / 1000);
  return [
    { type: 'ReportDrafted', data: { markdown: command.data.reportMarkdown, at: command.at } },
    {
      type: 'ProgressReported',
      data: {
        page: state.lastPage,
        progress: 100,
        currentPhase: 'generating_report',
        recordsProcessed: state.recordsProcessed,
        anomaliesDetected: state.anomaliesDetected,
        totalEstimate: state.totalEstimate,
        sourceExhausted: true,
        at: command.at,
      },
    },
    {
      type: 'InvestigationCompleted',
      data: {
        totalAnomalies: state.anomaliesDetected,
        recordsProcessed: state.recordsProcessed,
        executionSeconds,
        completedAt: command.at,
      },
    },
  ];
}

export const investigationDecider: Decider<InvestigationCommand, InvestigationEvent, InvestigationState> = {
  initialState: initialInvestigationState,
  evolve: evolveInvestigation,
  decide: decideInvestigation,
  isTerminal,
};
