import { hostname } from 'node:os';
import type { ContractSource } from '#analysis';
import {
  jitteredBackoff,
  PermanentCommandError,
  type AuditLog,
  type CommandBus,
  type CommandConsumption,
  type CommandLaneRoute,
  type Dependency,
  type LlmProvider,
  type Logger,
  type Metrics,
} from '#platform';
import type { EventStore, ReadModelStore } from '#eventsourcing';
import { createChatWorker } from './chat/chat-worker.js';
import { createInvestigationActors } from './investigations/investigation.actor.js';
import { InvestigationCommandHandler } from './investigations/investigation-command.handler.js';
import { InvestigationRunner, type InvestigationRunnerDeps } from './investigations/investigation-runner.js';
import { StorageOutage } from './outage/storage-outage.js';
import { createWorkflowHosts, runHere, type RunWorkflows } from './workflows/workflow-hosts.js';

export interface WorkersOptions {
  readonly store: EventStore;
  /** Where the workflow hosts keep their instances and checkpoints. */
  readonly readModels: ReadModelStore;
  readonly bus: CommandBus;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly clock?: () => Date;
  /** LONG_RUNNING_LANE's commands handled at once. */
  readonly concurrency: number;
  /** Every other command handled at once, in slots of its own; default: concurrency. */
  readonly shortConcurrency?: number;
  readonly maxDeliver: number;
  readonly pageSize: number;
  readonly stepDelayMs: number;
  readonly sourceFor: (dataSource: string, investigationId: string) => ContractSource;
  /** What a new investigation's clients must be told about its data source; null: nothing. */
  readonly sourceNotice?: (dataSource: string) => string | null;
  readonly classifyFailure?: InvestigationRunnerDeps['classifyFailure'];
  /** What chat answers are written with; absent or null: composed from the projections. */
  readonly llm?: LlmProvider | null;
  /** Where the workflow hosts run; default: all in this process. */
  readonly runWorkflows?: RunWorkflows;
  /** Where data source calls and completed investigations are audited. */
  readonly audit?: AuditLog;
  /** The bus's ack wait: a command waiting out a store outage says it is still worked on well within it. */
  readonly ackWaitMs?: number;
}

/**
 * Commands that hold their slot for seconds: an investigation's run. They get
 * WORKER_CONCURRENCY slots of their own and every other command WORKER_SHORT_CONCURRENCY,
 * so a message or a start never waits for them; on JetStream the lane is also a durable
 * consumer of its own.
 */
export const LONG_RUNNING_LANE: CommandLaneRoute = { name: 'long', types: ['RunInvestigation'] };

export interface RunningWorkers {
  stop(): Promise<void>;
}

/** Composition of the worker side: actors, runner, workflows and the bus consumer that feeds them. */
export async function startWorkers(options: WorkersOptions): Promise<RunningWorkers> {
  const clock = options.clock ?? (() => new Date());
  const producer = `${hostname()}:${process.pid}`;
  const outage = storageOutage(options);
  const actors = createInvestigationActors({
    store: options.store,
    clock,
    producer,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const runner = new InvestigationRunner({
    actors,
    sourceFor: options.sourceFor,
    ...(options.classifyFailure ? { classifyFailure: options.classifyFailure } : {}),
    ...(options.audit ? { audit: options.audit } : {}),
    outage,
    clock,
    pageSize: options.pageSize,
    stepDelayMs: options.stepDelayMs,
    maxDeliver: options.maxDeliver,
    logger: options.logger.child({ component: 'investigation-runner' }),
  });
  const investigations = new InvestigationCommandHandler({
    actors,
    runner,
    clock,
    ...(options.sourceNotice ? { sourceNotice: options.sourceNotice } : {}),
  });
  const chat = createChatWorker({ ...options, clock, llm: options.llm ?? null });
  const consumption: CommandConsumption = await options.bus.consume(
    outage.wrap(async (message, context) => {
      const started = process.hrtime.bigint();
      let outcome = 'ok';
      try {
        if (message.target.aggregate === 'chat') await chat.handle(message, context);
        else if (message.target.aggregate === 'investigation') await investigations.handle(message, context);
        else throw new PermanentCommandError(`no handler for commands to ${message.target.aggregate}`);
      } catch (error) {
        outcome = 'error';
        throw error;
      } finally {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        options.metrics?.commandDuration.observe({ command: message.command.type, outcome }, seconds);
      }
    }),
    {
      concurrency: options.shortConcurrency ?? options.concurrency,
      lanes: [{ ...LONG_RUNNING_LANE, concurrency: options.concurrency }],
    },
  );
  const hosts = createWorkflowHosts({ ...options, clock });
  const workflows = (options.runWorkflows ?? runHere)(hosts);
  return {
    stop: async () => {
      outage.close();
      await workflows.stop();
      await consumption.stop();
    },
  };
}

function storageOutage(options: WorkersOptions): StorageOutage {
  const { store, audit } = options;
  const dependencies: Dependency[] = [{ name: 'store', kind: store.kind, ping: () => store.ping() }];
  if (audit) dependencies.push({ name: 'audit', kind: audit.kind, ping: () => audit.ping() });
  return new StorageOutage({
    dependencies,
    logger: options.logger.child({ component: 'storage-outage' }),
    heartbeatMs: Math.max(100, Math.floor((options.ackWaitMs ?? 10_000) / 3)),
    probeDelayMs: jitteredBackoff({ minMs: 200, maxMs: 5_000 }),
  });
}
