import {
  AuditRelay,
  checkReadiness,
  createPinoLogger,
  createRuntime,
  EventRelay,
  installGracefulShutdown,
  InvalidSettingsError,
  startupFailure,
  loadSections,
  runtimeDependencies,
  startMetricsServer,
} from '#platform';
import { startWorkersFromRuntime } from './start-from-settings.js';

/** Distributed-mode worker process: consumes commands from JetStream until SIGTERM. */
async function main(): Promise<void> {
  const settings = loadSections();
  const { bus, metrics } = settings;
  const logger = createPinoLogger(settings.process.logLevel, { service: 'workers', pid: process.pid });
  if (settings.process.embedded)
    throw new InvalidSettingsError([
      'NATS_URL: is required for a separate worker process (npm start runs workers embedded)',
    ]);
  const runtime = await createRuntime(settings, logger);
  const workers = await startWorkersFromRuntime(runtime);
  const relay = bus.relay.enabled
    ? await EventRelay.start({
        servers: bus.natsUrl ?? '',
        store: runtime.store,
        logger: logger.child({ component: 'event-relay' }),
        streamName: bus.relay.events.stream,
        subjectPrefix: bus.relay.events.subject,
      })
    : null;
  const auditRelay = bus.relay.enabled
    ? await AuditRelay.start({
        servers: bus.natsUrl ?? '',
        audit: runtime.audit,
        logger: logger.child({ component: 'audit-relay' }),
        streamName: bus.relay.audit.stream,
        subjectPrefix: bus.relay.audit.subject,
      })
    : null;
  // Prometheus scrapes each worker here, and an orchestrator asks it for readiness; the api's /metrics covers only the api process.
  const metricsServer = await startMetricsServer(runtime.metrics, metrics.port, settings.process.host, logger, () =>
    checkReadiness(runtimeDependencies(runtime)),
  );
  logger.info({ store: runtime.store.kind, bus: runtime.bus.kind, metricsPort: metricsServer.port }, 'workers started');
  installGracefulShutdown({
    logger,
    timeoutMs: settings.process.shutdownTimeoutMs,
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
  console.error(startupFailure(error));
  process.exit(1);
});
