import {
  AuditRelay,
  checkReadiness,
  createPinoLogger,
  createRuntime,
  EventRelay,
  installGracefulShutdown,
  InvalidSettingsError,
  isEmbedded,
  loadSettings,
  runtimeDependencies,
  startMetricsServer,
} from '#platform';
import { startWorkersFromRuntime } from './start-from-settings.js';

/** Distributed-mode worker process: consumes commands from JetStream until SIGTERM. */
async function main(): Promise<void> {
  const settings = loadSettings();
  const logger = createPinoLogger(settings.LOG_LEVEL, { service: 'workers', pid: process.pid });
  if (isEmbedded(settings))
    throw new InvalidSettingsError([
      'NATS_URL: is required for a separate worker process (npm start runs workers embedded)',
    ]);
  const runtime = await createRuntime(settings, logger);
  const workers = await startWorkersFromRuntime(runtime);
  const relay = settings.EVENT_RELAY
    ? await EventRelay.start({
        servers: settings.NATS_URL ?? '',
        store: runtime.store,
        logger: logger.child({ component: 'event-relay' }),
        streamName: settings.NATS_EVENTS_STREAM,
        subjectPrefix: settings.NATS_EVENTS_SUBJECT,
      })
    : null;
  const auditRelay = settings.EVENT_RELAY
    ? await AuditRelay.start({
        servers: settings.NATS_URL ?? '',
        audit: runtime.audit,
        logger: logger.child({ component: 'audit-relay' }),
        streamName: settings.NATS_AUDIT_STREAM,
        subjectPrefix: settings.NATS_AUDIT_SUBJECT,
      })
    : null;
  // Prometheus scrapes each worker here, and an orchestrator asks it for readiness; the api's /metrics covers only the api process.
  const metricsServer = await startMetricsServer(runtime.metrics, settings.METRICS_PORT, settings.HOST, logger, () =>
    checkReadiness(runtimeDependencies(runtime)),
  );
  logger.info({ store: runtime.store.kind, bus: runtime.bus.kind, metricsPort: metricsServer.port }, 'workers started');
  installGracefulShutdown({
    logger,
    timeoutMs: settings.SHUTDOWN_TIMEOUT_MS,
    steps: [
      { name: 'drain in-flight commands', run: () => workers.stop() },
      { name: 'stop the event relay', run: async () => relay?.stop() },
      { name: 'stop the audit relay', run: async () => auditRelay?.stop() },
      { name: 'close bus and store', run: () => runtime.close() },
      { name: 'close the metrics listener', run: () => metricsServer.close() },
    ],
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof InvalidSettingsError ? error.message : error);
  process.exit(1);
});
