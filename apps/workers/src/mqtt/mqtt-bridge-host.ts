import { ProjectorLeases, type Runtime } from '#platform';

export interface RunningBridge {
  stop(): Promise<void>;
}

/**
 * Runs the MQTT bridge where the workers run: in the embedded process directly; among
 * distributed workers in the one that holds its lease, since two bridges would publish the
 * same events twice. Its lag is reported wherever it is configured.
 */
export function runMqttBridge(runtime: Pick<Runtime, 'mqtt' | 'settings' | 'metrics' | 'logger'>): RunningBridge {
  const { mqtt, settings } = runtime;
  if (!mqtt) return { stop: async () => undefined };
  const stopLag = runtime.metrics.measureReadModelLag(() => mqtt.lags());
  if (settings.process.embedded) {
    mqtt.start();
    return {
      stop: async () => {
        stopLag();
        await mqtt.stop();
      },
    };
  }
  const { databaseUrl, databaseSchema } = settings.storage;
  if (!databaseUrl) throw new Error('DATABASE_URL is required for the MQTT bridge of a distributed deployment');
  const leases = new ProjectorLeases({
    connectionString: databaseUrl,
    schema: databaseSchema,
    projectors: [mqtt],
    logger: runtime.logger.child({ component: 'mqtt-bridge-lease' }),
  });
  leases.start();
  return {
    stop: async () => {
      stopLag();
      await leases.stop();
    },
  };
}
