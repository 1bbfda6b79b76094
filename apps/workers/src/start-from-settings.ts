import { createLlmProviders, type Runtime } from '#platform';
import { classifySourceFailure, contractSourceNotice, contractSourceResolver } from './contract-sources.js';
import { runLeasedProjectors } from './projections/read-model-projectors.js';
import { startWorkers, type RunningWorkers } from './workers.js';

/**
 * Starts the workers on a runtime with the settings' tuning. Distributed workers also run
 * the read models' projectors, one worker per projection; the embedded api runs its own.
 */
export async function startWorkersFromRuntime(runtime: Runtime): Promise<RunningWorkers> {
  const workers = await startWorkersOnly(runtime);
  if (runtime.settings.process.embedded) return workers;
  const projectors = runLeasedProjectors(runtime);
  return {
    stop: async () => {
      await workers.stop();
      await projectors.stop();
    },
  };
}

function startWorkersOnly(runtime: Runtime): Promise<RunningWorkers> {
  const { workers, bus, contracts, llm } = runtime.settings;
  if (!contracts.portalApiKey)
    runtime.logger.warn(
      { dataSource: 'contracts', source: 'synthetic' },
      'PORTAL_TRANSPARENCIA_API_KEY is not set: investigations with data_source "contracts" analyse synthetic contracts, not the Portal da Transparência (their first event and report say so)',
    );
  return startWorkers({
    store: runtime.store,
    bus: runtime.bus,
    audit: runtime.audit,
    logger: runtime.logger.child({ component: 'workers' }),
    metrics: runtime.metrics,
    concurrency: workers.concurrency,
    maxDeliver: bus.commands.maxDeliver,
    ackWaitMs: bus.commands.ackWaitMs,
    pageSize: workers.pageSize,
    stepDelayMs: workers.stepDelayMs,
    sourceFor: contractSourceResolver(contracts),
    sourceNotice: contractSourceNotice(contracts),
    classifyFailure: classifySourceFailure,
    llm: createLlmProviders(llm, runtime.logger.child({ component: 'llm' })).chat,
    chatFollowWindowMs: workers.chatFollowWindowMs,
  });
}
