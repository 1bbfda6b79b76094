import { setTimeout as delay } from 'node:timers/promises';
import {
  createAnalysisSession,
  createTrendAccumulator,
  parseInvestigationQuery,
  planInvestigation,
  writeReport,
  type Anomaly,
  type ContractSource,
  type InvestigationFilters,
} from '#analysis';
import type { InvestigationCommand, InvestigationState } from '#investigations';
import type { CommandContext, Logger } from '#platform';
import type { Causation } from '../actors/decider-actor.js';
import type { ActorRegistry } from '../actors/actor-registry.js';
import type { InvestigationActor } from './investigation.actor.js';

type Step = InvestigationCommand extends infer C ? (C extends InvestigationCommand ? Omit<C, 'at' | 'userId'> : never) : never;

export interface InvestigationRunnerDeps {
  readonly actors: ActorRegistry<InvestigationActor>;
  readonly sourceFor: (dataSource: string, investigationId: string) => ContractSource;
  readonly clock: () => Date;
  readonly pageSize: number;
  readonly stepDelayMs: number;
  readonly maxDeliver: number;
  readonly logger: Logger;
}

/**
 * Drives one investigation through its phases, page by page. Every fact goes through the
 * actor, which records it once; after a crash, another worker rebuilds the detectors by
 * re-reading the pages already recorded (sources are deterministic) and carries on.
 */
export class InvestigationRunner {
  constructor(private readonly deps: InvestigationRunnerDeps) {}

  async run(investigationId: string, causation: Causation, context: CommandContext): Promise<void> {
    const actor = this.deps.actors.get(investigationId);
    const step = async (command: Step): Promise<InvestigationState> => {
      const at = this.deps.clock().toISOString();
      const decision = await actor.handle({ ...command, at, userId: causation.userId } as InvestigationCommand, causation);
      context.working();
      return decision.state;
    };
    let state = (await actor.current()).state;
    if (state.status !== 'running') return;
    try {
      await this.analyse(investigationId, state, step, context);
    } catch (error) {
      if (context.signal.aborted || context.deliveryCount < this.deps.maxDeliver) throw error;
      this.deps.logger.error({ err: error, investigationId }, 'investigation failed on its last delivery');
      state = await step({
        type: 'FailInvestigation',
        data: { errorCode: 'ANALYSIS_FAILED', message: error instanceof Error ? error.message : String(error), retryAfterSeconds: null },
      });
    }
  }

  private async analyse(
    investigationId: string,
    initial: InvestigationState,
    step: (c: Step) => Promise<InvestigationState>,
    context: CommandContext,
  ): Promise<void> {
    const filters: InvestigationFilters = initial.planned
      ? initial.filters
      : { ...parseInvestigationQuery(initial.query).filters, ...initial.filters };
    const plan = planInvestigation({ query: initial.query, filters, requestedTypes: initial.anomalyTypes });
    let state = await step({ type: 'RecordPlan', data: { detectors: plan.detectors, rationale: plan.rationale, filters } });
    state = await step({ type: 'BeginPhase', data: { phase: 'data_retrieval' } });
    const source = this.deps.sourceFor(state.dataSource, investigationId);
    const session = createAnalysisSession({ detectors: plan.detectors });
    const trends = createTrendAccumulator();
    const found: Anomaly[] = [];
    const fetchPage = (page: number) => source.fetchPage({ filters: state.filters, page, pageSize: this.deps.pageSize, signal: context.signal });

    for (let page = 1; page <= state.lastPage; page++) {
      const { contracts } = await fetchPage(page);
      found.push(...session.feed(contracts));
      trends.add(contracts);
    }
    state = await step({ type: 'BeginPhase', data: { phase: 'analyzing_contracts' } });
    for (let page = state.lastPage + 1; state.status === 'running'; page++) {
      const { contracts, hasMore, totalEstimate } = await fetchPage(page);
      const anomalies = session.feed(contracts);
      found.push(...anomalies);
      trends.add(contracts);
      state = await step({ type: 'RecordBatch', data: { page, records: contracts.length, anomalies, totalEstimate: totalEstimate ?? null } });
      if (!hasMore) break;
      if (this.deps.stepDelayMs > 0) await delay(this.deps.stepDelayMs, undefined, { signal: context.signal });
    }
    if (state.status !== 'running') return;
    state = await step({ type: 'BeginPhase', data: { phase: 'anomaly_detection' } });
    const findings = session.finish();
    found.push(...findings);
    const trendReport = trends.report();
    state = await step({ type: 'RecordFindings', data: { anomalies: findings, trends: trendReport } });
    state = await step({ type: 'BeginPhase', data: { phase: 'generating_report' } });
    if (state.status !== 'running') return;
    const executionSeconds = (this.deps.clock().getTime() - Date.parse(state.startedAt ?? '')) / 1000;
    const reportMarkdown = writeReport({
      query: state.query,
      filters: state.filters,
      stats: session.stats(),
      anomalies: found,
      trends: trendReport,
      executionSeconds,
    });
    await step({ type: 'CompleteInvestigation', data: { reportMarkdown } });
  }
}
