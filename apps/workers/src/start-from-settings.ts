import { createLlmProviders, type Runtime } from '#platform';
import { classifySourceFailure, contractSourceNotice, contractSourceResolver } from './contract-sources.js';
import { runMqttBridge } from './mqtt/mqtt-bridge-host.js';
import { runLeasedProjectors } from './projections/read-model-projectors.js';
import { startWorkers, type RunningWorkers } from './workers.js';
import { runWebhooks } from './webhooks/webhook-host.js';
import { runHere, type RunWorkflows } from './workflows/workflow-hosts.js';

/**
 * Starts the workers on a runtime with the settings' tuning, the webhook dispatcher, and
 * the MQTT bridge when MQTT_URL is set. Distributed workers run the read models' projectors and the workflow
 * hosts under leases, one worker each; embedded, the workflows run here and the api runs
 * the projectors.
 */
export async function startWorkersFromRuntime(runtime: Runtime): Promise<RunningWorkers> {
  const leased: RunWorkflows = (hosts) => runLeasedProjectors(runtime, hosts);
  const workers = await startWorkersOnly(runtime, runtime.settings.process.embedded ? runHere : leased);
  const bridge = runMqttBridge(runtime);
  const webhooks = runWebhooks(runtime);
  return {
    stop: async () => {
      await workers.stop();
      await webhooks.stop();
      await bridge.stop();
    },
  };
}

function startWorkersOnly(runtime: Runtime, runWorkflows: RunWorkflows): Promise<RunningWorkers> {
  const { workers, bus, contracts, llm } = runtime.settings;
  if (!contracts.portalApiKey)
    runtime.logger.warn(
      { dataSource: 'contracts', source: 'synthetic' },
      'PORTAL_TRANSPARENCIA_API_KEY is not set: investigations with data_source "contracts" analyse synthetic contracts, not the Portal da Transparência (their first event and report say so)',
    );
  return startWorkers({
    store: runtime.store,
    readModels: runtime.readModels,
    runWorkflows,
    bus: runtime.bus,
    audit: runtime.audit,
    logger: runtime.logger.child({ component: 'workers' }),
    metrics: runtime.metrics,
    concurrency: workers.concurrency,
    shortConcurrency: workers.shortConcurrency,
    maxDeliver: bus.commands.maxDeliver,
    ackWaitMs: bus.commands.ackWaitMs,
    pageSize: workers.pageSize,
    stepDelayMs: workers.stepDelayMs,
    sourceFor: contractSourceResolver(contracts),
    sourceNotice: contractSourceNotice(contracts),
    classifyFailure: classifySourceFailure,
    llm: createLlmProviders(llm, runtime.logger.child({ component: 'llm' })).chat,
  });
}
