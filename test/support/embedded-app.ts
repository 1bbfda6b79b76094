import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApi, type ApiServer } from '../../apps/api/src/bootstrap.js';
import { createRuntime, loadSettings, Metrics, silentLogger, type Runtime } from '#platform';
import { startWorkersFromRuntime, type RunningWorkers } from '#workers';

export interface EmbeddedApp {
  readonly url: string;
  readonly runtime: Runtime;
  readonly api: ApiServer;
  stop(): Promise<void>;
}

/** The embedded mode in this process: SQLite in a temp dir, in-process bus, real workers, real HTTP. */
export async function startEmbeddedApp(env: Record<string, string> = {}): Promise<EmbeddedApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cidadao-test-'));
  const settings = loadSettings({ DATA_DIR: dataDir, INVESTIGATION_STEP_DELAY_MS: '0', SYNTHETIC_CONTRACTS: '300', ...env });
  const runtime = await createRuntime(settings, silentLogger, new Metrics());
  let workers: RunningWorkers | null = null;
  let api: ApiServer | null = null;
  try {
    workers = await startWorkersFromRuntime(runtime);
    api = await startApi(runtime, 0, '127.0.0.1');
  } catch (error) {
    await workers?.stop();
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const server = api;
  const running = workers;
  return {
    url: server.url,
    runtime,
    api: server,
    stop: async () => {
      await server.close();
      await running.stop();
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
