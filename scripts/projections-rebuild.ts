import { performance } from 'node:perf_hooks';
import { createPinoLogger, createReadModelStore, InvalidSettingsError, loadSections, openEventStore } from '#platform';
import { createProjectors } from '#workers';

/**
 * Drops every read model (or those named as arguments) and replays the whole event store
 * into it, with the deployment's settings. Safe while the api and workers run: a running
 * projector's next commit finds its checkpoint moved and carries on from the rebuild's.
 */
async function main(): Promise<void> {
  const { process: proc, storage } = loadSections();
  const logger = createPinoLogger(proc.logLevel, { service: 'projections-rebuild' });
  const names = process.argv.slice(2);
  const store = await openEventStore(storage, logger);
  try {
    const readModels = await createReadModelStore(storage, logger);
    try {
      const projectors = createProjectors({ store, readModels, logger });
      const unknown = names.filter((name) => !projectors.some((projector) => projector.name === name));
      if (unknown.length > 0)
        throw new Error(`unknown projection ${unknown.join(', ')}; known: ${projectors.map((p) => p.name).join(', ')}`);
      for (const projector of projectors) {
        if (names.length > 0 && !names.includes(projector.name)) continue;
        const started = performance.now();
        const position = await projector.rebuild();
        const ms = Math.round(performance.now() - started);
        process.stdout.write(
          `${projector.name}: rebuilt from ${readModels.kind} up to position ${position} in ${ms} ms\n`,
        );
      }
    } finally {
      await readModels.close();
    }
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof InvalidSettingsError ? error.message : error instanceof Error ? error.message : error);
  process.exit(1);
});
