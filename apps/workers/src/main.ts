import { createPinoLogger, createRuntime, InvalidSettingsError, isEmbedded, loadSettings } from '#platform';
import { startWorkersFromRuntime } from './start-from-settings.js';

/** Distributed-mode worker process: consumes commands from JetStream until SIGTERM. */
async function main(): Promise<void> {
  const settings = loadSettings();
  const logger = createPinoLogger(settings.LOG_LEVEL, { service: 'workers', pid: process.pid });
  if (isEmbedded(settings)) throw new InvalidSettingsError(['NATS_URL: is required for a separate worker process (npm start runs workers embedded)']);
  const runtime = await createRuntime(settings, logger);
  const workers = await startWorkersFromRuntime(runtime);
  logger.info({ store: runtime.store.kind, bus: runtime.bus.kind }, 'workers started');
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'workers draining');
    await workers.stop();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof InvalidSettingsError ? error.message : error);
  process.exit(1);
});
