import { join } from 'node:path';
import { anchoredAuditLog, AuditAnchor } from '../audit/audit-anchor.js';
import { resolveAuditKeyring } from '../audit/audit-keyring.source.js';
import { createAuditLog } from '../audit/audit-log.factory.js';
import type { AuditLog } from '../audit/audit-log.port.js';
import { SqliteCommandJournal } from '../command-bus/in-process/command-journal.js';
import { InProcessCommandBus } from '../command-bus/in-process/in-process-command-bus.js';
import { JetStreamCommandBus } from '../command-bus/jetstream/jetstream-command-bus.js';
import type { CommandBus } from '../command-bus/command-bus.port.js';
import type { SettingsSections, StorageSettings } from '../config/settings-sections.js';
import { createEventStore } from '../event-store/event-store.factory.js';
import type { EventStore, ReadModelStore } from '#eventsourcing';
import type { Logger } from '../logging/logger.js';
import { Metrics } from '../metrics/metrics.js';
import type { MqttBridge } from '../mqtt/mqtt-bridge.js';
import { createMqttBridge } from '../mqtt/mqtt-bridge.factory.js';
import { createReadModelStore } from '../read-models/read-model-store.factory.js';

/** The adapters one process runs on, chosen by settings; shared by the api and workers roots. */
export interface Runtime {
  readonly settings: SettingsSections;
  readonly store: EventStore;
  /** Persistent read models and their checkpoints (see createReadModelStore). */
  readonly readModels: ReadModelStore;
  readonly bus: CommandBus;
  /** HMAC-chained audit log, beside the event store (see createAuditLog); appends count towards checkpoints. */
  readonly audit: AuditLog;
  /** Checkpoints of the audit chain in the event store, and verification against them. */
  readonly auditAnchor: AuditAnchor;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** With MQTT_URL: the bridge to the broker, not started (the workers' host starts it, leased when distributed). */
  readonly mqtt: MqttBridge | null;
  close(): Promise<void>;
}

/** The event store the settings name, as every process and script of a deployment opens it. */
export function openEventStore(storage: StorageSettings, logger: Logger): Promise<EventStore> {
  return createEventStore({
    kind: storage.eventStore,
    sqliteFile: join(storage.dataDir, 'events.sqlite'),
    ...(storage.databaseUrl ? { databaseUrl: storage.databaseUrl } : {}),
    postgresSchema: storage.databaseSchema,
    ...(storage.kurrentdbUrl ? { kurrentdbUrl: storage.kurrentdbUrl } : {}),
    logger: logger.child({ component: 'event-store' }),
  });
}

export async function createRuntime(
  settings: SettingsSections,
  logger: Logger,
  metrics = new Metrics({ defaultMetrics: true, streamMaxSeconds: settings.streaming.maxSeconds }),
): Promise<Runtime> {
  // Before connecting anything: a distributed process without the shared key stops here.
  const keys = resolveAuditKeyring(settings);
  if (keys.source.kind === 'file')
    logger.info(
      { file: keys.source.file, created: keys.source.created, keyId: keys.ring.current.id },
      'audit HMAC key from DATA_DIR (set AUDIT_HMAC_KEY to manage it yourself)',
    );
  const { storage, bus: nats, audit } = settings;
  const store = await openEventStore(storage, logger);
  let bus: CommandBus;
  try {
    bus = settings.process.embedded
      ? new InProcessCommandBus({
          maxDeliver: nats.commands.maxDeliver,
          metrics,
          logger: logger.child({ component: 'command-bus' }),
          journal: new SqliteCommandJournal(
            join(storage.dataDir, 'commands.sqlite'),
            logger.child({ component: 'command-journal' }),
          ),
        })
      : await JetStreamCommandBus.connect({
          servers: nats.natsUrl ?? '',
          streamName: nats.commands.stream,
          subjectPrefix: nats.commands.subject,
          consumerName: nats.commands.consumer,
          ackWaitMs: nats.commands.ackWaitMs,
          maxDeliver: nats.commands.maxDeliver,
          metrics,
          logger: logger.child({ component: 'command-bus' }),
        });
  } catch (error) {
    await store.close();
    throw error;
  }
  let log: AuditLog;
  let readModels: ReadModelStore;
  try {
    log = await createAuditLog(storage, keys.ring.current, logger.child({ component: 'audit-log' }));
  } catch (error) {
    await bus.close();
    await store.close();
    throw error;
  }
  try {
    readModels = await createReadModelStore(storage, logger.child({ component: 'read-models' }));
  } catch (error) {
    await log.close();
    await bus.close();
    await store.close();
    throw error;
  }
  const auditAnchor = AuditAnchor.start({
    log,
    store,
    ring: keys.ring,
    logger: logger.child({ component: 'audit' }),
    everyRecords: audit.checkpointEveryRecords,
    intervalMs: audit.checkpointIntervalSeconds * 1000,
    metrics,
  });
  const mqtt = createMqttBridge(settings.mqtt, { store, readModels, logger, metrics });
  return {
    settings,
    store,
    readModels,
    mqtt,
    bus,
    audit: anchoredAuditLog(log, auditAnchor),
    auditAnchor,
    metrics,
    logger,
    close: async () => {
      await mqtt?.stop();
      await bus.close();
      // The last checkpoint needs the log and the store, so before either closes.
      await auditAnchor.stop();
      await log.close();
      await readModels.close();
      await store.close();
    },
  };
}
