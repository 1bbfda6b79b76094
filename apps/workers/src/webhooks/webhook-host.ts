import { webhookSecretFor } from '#audit';
import { resolveIdSecret, WebhookDispatcher, type Runtime } from '#platform';
import { runLeased, type RunningRunner } from '../leased-runner.js';

/**
 * Runs the webhook dispatcher where the workers run (leased when distributed: two
 * dispatchers would each send every event). Its signing secrets derive from the key of
 * derived ids, which every process of a deployment shares.
 */
export function runWebhooks(runtime: Runtime): RunningRunner {
  const { settings, logger } = runtime;
  if (!settings.webhooks.enabled) return { stop: async () => undefined };
  let key: string;
  try {
    key = resolveIdSecret(settings).secret;
  } catch (error) {
    logger.error({ err: error }, 'webhooks are not delivered from this process: it has no ID_SECRET or JWT_SECRET');
    return { stop: async () => undefined };
  }
  const dispatcher = new WebhookDispatcher({
    store: runtime.store,
    readModels: runtime.readModels,
    logger: logger.child({ component: 'webhooks' }),
    metrics: runtime.metrics,
    settings: settings.webhooks,
    secretOf: (webhookId) => webhookSecretFor(key, webhookId),
  });
  return runLeased(runtime, dispatcher, 'webhooks');
}
