import { createPinoLogger, createRuntime, InvalidSettingsError, isEmbedded, loadSettings } from '#platform';
import { startWorkersFromRuntime } from '#workers';
import { startApi } from './bootstrap.js';

/**
 * Embedded mode (no NATS_URL): API and workers in this process on an in-process bus and a
 * SQLite file. Distributed mode (NATS_URL): the API only, unless RUN_WORKERS=true.
 */
async function main(): Promise<void> {
  const settings = loadSettings();
  const logger = createPinoLogger(settings.LOG_LEVEL, { service: 'api', pid: process.pid });
  const runtime = await createRuntime(settings, logger);
  const embedded = isEmbedded(settings);
  const workers = embedded || settings.RUN_WORKERS ? await startWorkersFromRuntime(runtime) : null;
  const api = await startApi(runtime, settings.PORT, settings.HOST);
  logger.info(
    { url: `http://localhost:${api.port}`, mode: embedded ? 'embedded' : 'distributed', store: runtime.store.kind, bus: runtime.bus.kind, workers: workers !== null },
    'api listening',
  );
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await api.close();
    await workers?.stop();
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
