import {
  createPinoLogger,
  createRuntime,
  installGracefulShutdown,
  startupFailure,
  loadSections,
  resolveAuthMode,
  resolveIdSecret,
} from '#platform';
import { startWorkersFromRuntime } from '#workers';
import { startApi } from './bootstrap.js';

/**
 * Embedded mode (no NATS_URL): API and workers in this process on an in-process bus and a
 * SQLite file. Distributed mode (NATS_URL): the API only, unless RUN_WORKERS=true.
 */
async function main(): Promise<void> {
  const settings = loadSections();
  resolveAuthMode(settings); // an API that could verify no token stops here, before connecting to anything
  resolveIdSecret(settings); // and so does one that could not derive the same ids as its peers
  const logger = createPinoLogger(settings.process.logLevel, { service: 'api', pid: process.pid });
  const runtime = await createRuntime(settings, logger);
  const { embedded, runWorkers, port, host } = settings.process;
  const workers = embedded || runWorkers ? await startWorkersFromRuntime(runtime) : null;
  const api = await startApi(runtime, port, host);
  logger.info(
    {
      url: `${settings.http.tls ? 'https' : 'http'}://localhost:${api.port}`,
      mode: embedded ? 'embedded' : 'distributed',
      store: runtime.store.kind,
      bus: runtime.bus.kind,
      workers: workers !== null,
    },
    'api listening',
  );
  installGracefulShutdown({
    logger,
    timeoutMs: settings.process.shutdownTimeoutMs,
    steps: [
      { name: 'stop accepting, end streams, finish requests', run: () => api.drain() },
      { name: 'drain in-flight commands', run: () => workers?.stop() },
      { name: 'close the api', run: () => api.close() },
      { name: 'close bus and store', run: () => runtime.close() },
    ],
  });
}

main().catch((error: unknown) => {
  console.error(startupFailure(error));
  process.exit(1);
});
