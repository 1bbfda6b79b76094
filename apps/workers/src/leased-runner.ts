import type { HostedRunner } from '#eventsourcing';
import { ProjectorLeases, type Runtime } from '#platform';

export interface RunningRunner {
  stop(): Promise<void>;
}

/** A follower of the store that reports how far behind it is. */
export interface LaggingRunner extends HostedRunner {
  lags(): Promise<ReadonlyMap<string, number>>;
}

/**
 * Runs a follower of the store that must not run twice (it talks to the outside world):
 * in the embedded process directly; among distributed workers in the one that holds its
 * lease. Its lag is reported wherever it is configured.
 */
export function runLeased(
  runtime: Pick<Runtime, 'settings' | 'metrics' | 'logger'>,
  runner: LaggingRunner,
  what: string,
): RunningRunner {
  const { settings } = runtime;
  const stopLag = runtime.metrics.measureReadModelLag(() => runner.lags());
  if (settings.process.embedded) {
    runner.start();
    return {
      stop: async () => {
        stopLag();
        await runner.stop();
      },
    };
  }
  const { databaseUrl, databaseSchema } = settings.storage;
  if (!databaseUrl) throw new Error(`DATABASE_URL is required for the ${what} of a distributed deployment`);
  const leases = new ProjectorLeases({
    connectionString: databaseUrl,
    schema: databaseSchema,
    projectors: [runner],
    logger: runtime.logger.child({ component: `${runner.name}-lease` }),
  });
  leases.start();
  return {
    stop: async () => {
      stopLag();
      await leases.stop();
    },
  };
}
