import type { ContractSource } from '#analysis';
import { PermanentCommandError, type CommandBus, type CommandConsumption, type EventStore, type Logger, type Metrics } from '#platform';
import { createInvestigationActors } from './investigations/investigation.actor.js';
import { InvestigationCommandHandler } from './investigations/investigation-command.handler.js';
import { InvestigationRunner } from './investigations/investigation-runner.js';

export interface WorkersOptions {
  readonly store: EventStore;
  readonly bus: CommandBus;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly clock?: () => Date;
  readonly concurrency: number;
  readonly maxDeliver: number;
  readonly pageSize: number;
  readonly stepDelayMs: number;
  readonly sourceFor: (dataSource: string, investigationId: string) => ContractSource;
}

export interface RunningWorkers {
  stop(): Promise<void>;
}

/** Composition of the worker side: actors, runner and the bus consumer that feeds them. */
export async function startWorkers(options: WorkersOptions): Promise<RunningWorkers> {
  const clock = options.clock ?? (() => new Date());
  const actors = createInvestigationActors({ store: options.store, clock, ...(options.metrics ? { metrics: options.metrics } : {}) });
  const runner = new InvestigationRunner({
    actors,
    sourceFor: options.sourceFor,
    clock,
    pageSize: options.pageSize,
    stepDelayMs: options.stepDelayMs,
    maxDeliver: options.maxDeliver,
    logger: options.logger.child({ component: 'investigation-runner' }),
  });
  const investigations = new InvestigationCommandHandler({ actors, runner, bus: options.bus, clock });
  const consumption: CommandConsumption = await options.bus.consume(
    async (message, context) => {
      const started = process.hrtime.bigint();
      let outcome = 'ok';
      try {
        if (message.target.aggregate !== 'investigation') {
          throw new PermanentCommandError(`no handler for commands to ${message.target.aggregate}`);
        }
        await investigations.handle(message, context);
      } catch (error) {
        outcome = 'error';
        throw error;
      } finally {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        options.metrics?.commandDuration.observe({ command: message.command.type, outcome }, seconds);
      }
    },
    { concurrency: options.concurrency },
  );
  return { stop: () => consumption.stop() };
}
