import { chatHistoriesProjection } from '#chat';
import { Projector, type HostedRunner, type Projection } from '#eventsourcing';
import { investigationSummariesProjection } from '#investigations';
import { ProjectorLeases, type Runtime } from '#platform';

/** Every persistent read model: what runs, what is rebuilt, what projection_lag_events reports. */
export const READ_MODEL_PROJECTIONS: readonly Projection[] = [
  investigationSummariesProjection,
  chatHistoriesProjection,
];

export interface RunningProjectors {
  stop(): Promise<void>;
}

type ProjectorRuntime = Pick<Runtime, 'store' | 'readModels' | 'logger'>;

export function createProjectors(runtime: ProjectorRuntime): Projector[] {
  const logger = runtime.logger.child({ component: 'projector' });
  return READ_MODEL_PROJECTIONS.map(
    (projection) =>
      new Projector({
        store: runtime.store,
        readModels: runtime.readModels,
        projection,
        onError: (error, name) => logger.warn({ err: error, projection: name }, 'projection run failed; trying again'),
      }),
  );
}

/** The embedded mode: every projection runs in this one process. */
export function runProjectors(runtime: ProjectorRuntime): RunningProjectors {
  const projectors = createProjectors(runtime);
  for (const projector of projectors) projector.start();
  return { stop: async () => void (await Promise.all(projectors.map((projector) => projector.stop()))) };
}

/**
 * The distributed mode: each projection, and each of `others` (the workflow hosts), runs in
 * one worker at a time, whichever holds its lease.
 */
export function runLeasedProjectors(
  runtime: ProjectorRuntime & Pick<Runtime, 'settings'>,
  others: readonly HostedRunner[] = [],
): RunningProjectors {
  const { databaseUrl, databaseSchema } = runtime.settings.storage;
  if (!databaseUrl) throw new Error('DATABASE_URL is required for the read models of a distributed deployment');
  const leases = new ProjectorLeases({
    connectionString: databaseUrl,
    schema: databaseSchema,
    projectors: [...createProjectors(runtime), ...others],
    logger: runtime.logger.child({ component: 'projector-leases' }),
  });
  leases.start();
  return { stop: () => leases.stop() };
}

/** Events between the store's head and each projection's checkpoint, read when asked (on scrape). */
export async function projectionLags(runtime: Pick<Runtime, 'store' | 'readModels'>): Promise<Map<string, number>> {
  const head = await runtime.store.headPosition();
  const lags = new Map<string, number>();
  for (const { name } of READ_MODEL_PROJECTIONS) {
    const checkpoint = await runtime.readModels.checkpoint(name);
    lags.set(name, Math.max(0, head - (checkpoint?.position ?? 0)));
  }
  return lags;
}
