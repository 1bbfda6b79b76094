import { setTimeout as delay } from 'node:timers/promises';
import {
  createAnalysisSession,
  createTrendAccumulator,
  planInvestigation,
  requestFilters,
  writeReport,
  type Anomaly,
  type ContractPage,
  type ContractSource,
  type InvestigationFilters,
} from '#analysis';
import type { InvestigationCommand, InvestigationState } from '#investigations';
import { isStorageOutage, type AuditLog, type CommandContext, type Logger } from '#platform';
import type { ActorRegistry, Causation } from '#eventsourcing';
import { InvestigationAudit, type AuditSubject } from './investigation-audit.js';
import type { InvestigationActor } from './investigation.actor.js';
import type { StorageOutage } from '../outage/storage-outage.js';

type StepCommand = InvestigationCommand extends infer C
  ? C extends InvestigationCommand
    ? Omit<C, 'at' | 'userId'>
    : never
  : never;
type Step = (command: StepCommand) => Promise<InvestigationState>;

export interface InvestigationRunnerDeps {
  readonly actors: ActorRegistry<InvestigationActor>;
  readonly sourceFor: (dataSource: string, investigationId: string) => ContractSource;
  readonly clock: () => Date;
  readonly pageSize: number;
  readonly stepDelayMs: number;
  readonly maxDeliver: number;
  readonly logger: Logger;
  /** Names a failure that ends the investigation now (or on the last delivery), else null: redeliver. */
  readonly classifyFailure?: (error: unknown, lastDelivery: boolean) => RunFailure | null;
  /** Where data source calls and completions are audited; absent: not audited. */
  readonly audit?: AuditLog;
  /** Audit records wait out an unreachable audit log here rather than being dropped. */
  readonly outage?: StorageOutage;
}

export interface RunFailure {
  readonly errorCode: string;
  readonly message: string;
  readonly retryAfterSeconds: number | null;
}

/** What one run holds in memory: rebuilt from the source after a crash, never stored. */
interface RunMemory {
  readonly session: ReturnType<typeof createAnalysisSession>;
  readonly trends: ReturnType<typeof createTrendAccumulator>;
  readonly found: Anomaly[];
  readonly fetchPage: (page: number) => Promise<ContractPage>;
  readonly state: InvestigationState;
  readonly userId: string;
}

/**
 * Drives one investigation through its phases, page by page. Every fact goes through the
 * actor, which records it once; after a crash, another worker rebuilds the detectors by
 * re-reading the pages already recorded (sources are deterministic) and carries on.
 */
export class InvestigationRunner {
  private readonly auditLog: InvestigationAudit;

  constructor(private readonly deps: InvestigationRunnerDeps) {
    this.auditLog = new InvestigationAudit(deps.audit, deps.logger, deps.clock, deps.outage);
  }

  async run(investigationId: string, causation: Causation, context: CommandContext): Promise<void> {
    const actor = this.deps.actors.get(investigationId);
    const step: Step = async (command) => {
      const at = this.deps.clock().toISOString();
      const decision = await actor.handle(
        { ...command, at, userId: causation.userId } as InvestigationCommand,
        causation,
      );
      context.working();
      return decision.state;
    };
    const { state } = await actor.current();
    if (state.status !== 'running') return;
    try {
      await this.analyse(investigationId, state, step, { context, userId: causation.userId });
    } catch (error) {
      // An unreachable store says nothing about the investigation: it is retried, never failed.
      if (context.signal.aborted || isStorageOutage(error)) throw error;
      const lastDelivery = context.deliveryCount >= this.deps.maxDeliver;
      const failure =
        this.deps.classifyFailure?.(error, lastDelivery) ?? (lastDelivery ? unexpectedFailure(error) : null);
      if (!failure) throw error;
      this.deps.logger.error({ err: error, investigationId, errorCode: failure.errorCode }, 'investigation failed');
      const failed = await step({ type: 'FailInvestigation', data: failure });
      if (failed.status === 'failed')
        await this.auditLog.failed(
          { ...subjectOf(failed, causation.userId), investigationId },
          failure.errorCode,
          failure.message,
          context,
        );
    }
  }

  private async analyse(
    investigationId: string,
    initial: InvestigationState,
    step: Step,
    { context, userId }: { context: CommandContext; userId: string },
  ): Promise<void> {
    const filters: InvestigationFilters = initial.planned
      ? initial.filters
      : requestFilters(initial.query, initial.filters);
    const plan = planInvestigation({ query: initial.query, filters, requestedTypes: initial.anomalyTypes });
    await step({ type: 'RecordPlan', data: { detectors: plan.detectors, rationale: plan.rationale, filters } });
    let state = await step({ type: 'BeginPhase', data: { phase: 'data_retrieval' } });
    const source = this.deps.sourceFor(state.dataSource, investigationId);
    const planned = state;
    const memory: RunMemory = {
      session: createAnalysisSession({ detectors: plan.detectors }),
      trends: createTrendAccumulator(),
      found: [],
      fetchPage: (page) =>
        source.fetchPage({ filters: planned.filters, page, pageSize: this.deps.pageSize, signal: context.signal }),
      state: planned,
      userId,
    };
    await this.replayRecordedPages(memory, state.lastPage);
    state = await this.analysePages(memory, step, context);
    if (state.status !== 'running') return;
    await this.conclude(memory, step, context);
  }

  /** After a crash: feed the detectors the pages already recorded, without re-recording them. */
  private async replayRecordedPages(memory: RunMemory, lastPage: number): Promise<void> {
    for (let page = 1; page <= lastPage; page++) {
      const { contracts } = await memory.fetchPage(page);
      memory.found.push(...memory.session.feed(contracts));
      memory.trends.add(contracts);
    }
  }

  private async analysePages(memory: RunMemory, step: Step, context: CommandContext): Promise<InvestigationState> {
    let state = await step({ type: 'BeginPhase', data: { phase: 'analyzing_contracts' } });
    for (let page = state.lastPage + 1; state.status === 'running' && !state.pagesComplete; page++) {
      const { contracts, hasMore, totalEstimate } = await memory.fetchPage(page);
      await this.auditLog.dataSourceCalled(subjectOf(memory.state, memory.userId), page, contracts.length, context);
      const anomalies = memory.session.feed(contracts);
      memory.found.push(...anomalies);
      memory.trends.add(contracts);
      const last = !hasMore;
      state = await step({
        type: 'RecordBatch',
        data: {
          page,
          records: contracts.length,
          anomalies,
          totalEstimate: totalEstimate ?? null,
          last,
          trends: memory.trends.report(),
        },
      });
      if (!hasMore) break;
      if (this.deps.stepDelayMs > 0) await delay(this.deps.stepDelayMs, undefined, { signal: context.signal });
    }
    return state;
  }

  private async conclude(memory: RunMemory, step: Step, context: CommandContext): Promise<void> {
    await step({ type: 'BeginPhase', data: { phase: 'anomaly_detection' } });
    const findings = memory.session.finish();
    memory.found.push(...findings);
    const trends = memory.trends.report();
    await step({ type: 'RecordFindings', data: { anomalies: findings, trends } });
    const state = await step({ type: 'BeginPhase', data: { phase: 'generating_report' } });
    if (state.status !== 'running') return;
    const executionSeconds = (this.deps.clock().getTime() - Date.parse(state.startedAt ?? '')) / 1000;
    const reportMarkdown = writeReport({
      query: state.query,
      filters: state.filters,
      stats: memory.session.stats(),
      anomalies: memory.found,
      trends,
      executionSeconds,
      notice: state.notice,
    });
    const completed = await step({ type: 'CompleteInvestigation', data: { reportMarkdown } });
    if (completed.status === 'completed')
      await this.auditLog.completed(subjectOf(completed, memory.userId), memory.found.length, context);
  }
}

const subjectOf = (state: InvestigationState, userId: string): AuditSubject => ({
  investigationId: state.investigationId ?? '',
  dataSource: state.dataSource,
  userId,
});

function unexpectedFailure(error: unknown): RunFailure {
  return {
    errorCode: 'ANALYSIS_FAILED',
    message: error instanceof Error ? error.message : String(error),
    retryAfterSeconds: null,
  };
}
