import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApi, type ApiServer } from '../../apps/api/src/bootstrap.js';
import {
  createRuntime,
  loadSections,
  Metrics,
  signingSecret,
  signToken,
  silentLogger,
  type Role,
  type Runtime,
  type TokenRequest,
} from '#platform';
import { startWorkersFromRuntime, type RunningWorkers } from '#workers';

export interface EmbeddedApp {
  readonly url: string;
  readonly runtime: Runtime;
  readonly api: ApiServer;
  /** A token this server accepts: signed with JWT_SECRET or the development secret it persisted. */
  token(sub: string, roles: Role | Role[], overrides?: Partial<TokenRequest>): Promise<string>;
  /** Stops the workers: commands sent from now on stay queued on the bus. */
  stopWorkers(): Promise<void>;
  /** Starts the workers again (or for the first time): queued commands are handled. */
  startWorkers(): Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** False: the API only, as when the workers are down; every investigation stays queued. */
  readonly workers?: boolean;
  /** A built dashboard to serve at `/`. */
  readonly webDir?: string;
}

/** The embedded mode in this process: SQLite in a temp dir, in-process bus, real workers, real HTTP. */
export async function startEmbeddedApp(
  env: Record<string, string> = {},
  options: EmbeddedOptions = {},
): Promise<EmbeddedApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cidadao-test-'));
  // Audit checkpoints are events: only at shutdown unless a test sets a cadence, so the store's head moves only as a test expects.
  const settings = loadSections({
    DATA_DIR: dataDir,
    INVESTIGATION_STEP_DELAY_MS: '0',
    SYNTHETIC_CONTRACTS: '300',
    AUDIT_CHECKPOINT_INTERVAL_SECONDS: '86400',
    ...env,
  });
  const runtime = await createRuntime(settings, silentLogger, new Metrics());
  let workers: RunningWorkers | null = null;
  let api: ApiServer;
  try {
    if (options.workers !== false) workers = await startWorkersFromRuntime(runtime);
    api = await startApi(runtime, 0, '127.0.0.1', options.webDir ? { webDir: options.webDir } : {});
  } catch (error) {
    await workers?.stop();
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const server = api;
  let running = workers;
  return {
    url: server.url,
    runtime,
    api: server,
    token: (sub, roles, overrides = {}) => {
      const secret = signingSecret(settings);
      if (!secret) throw new Error('this server verifies tokens from a JWKS only');
      const { issuer, audience } = settings.auth;
      return signToken({
        secret: secret.secret,
        subject: sub,
        roles: [roles].flat(),
        ttlSeconds: 600,
        ...(issuer ? { issuer } : {}),
        ...(audience ? { audience } : {}),
        ...overrides,
      });
    },
    stopWorkers: async () => {
      await running?.stop();
      running = null;
    },
    startWorkers: async () => {
      running ??= await startWorkersFromRuntime(runtime);
    },
    stop: async () => {
      await server.close();
      await running?.stop();
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
