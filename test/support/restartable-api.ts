import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken, type Role } from '#platform';
import { startNode, type RunningProcess } from './node-process.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** An embedded API behind a proxy, on its own data directory, that can die and come back on the same data. */
export interface RestartableApi {
  /** The proxy's URL: what clients use, across restarts. */
  readonly url: string;
  readonly proxy: TcpProxy;
  /** A token the API accepts. */
  token(subject: string, role: Role): Promise<string>;
  /** The API dies (SIGKILL) under its clients and every connection is cut. */
  crash(): Promise<void>;
  /** Another API starts on the same data, behind the same proxy. */
  start(): Promise<void>;
  /** crash, then start. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Investigations that last a few seconds, so that a restart can fall in the middle of one. */
export async function startRestartableApi(name: string, stepDelayMs = 200): Promise<RestartableApi> {
  const secret = `${name}-${randomUUID()}-${randomUUID()}`;
  const dataDir = mkdtempSync(join(tmpdir(), `${name}-`));
  const env = {
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    JWT_SECRET: secret,
    SSE_RETRY_MS: '200',
    SYNTHETIC_CONTRACTS: '1000',
    INVESTIGATION_PAGE_SIZE: '100',
    INVESTIGATION_STEP_DELAY_MS: String(stepDelayMs),
  };
  const proxy = await startTcpProxy();
  const processes: RunningProcess[] = [];
  const start = async (): Promise<void> => {
    const api = startNode('dist/apps/api/src/main.js', env);
    processes.push(api);
    const url = String((await api.waitForLog((l) => l.msg === 'api listening')).url);
    proxy.retarget(Number(new URL(url).port));
  };
  const crash = async (): Promise<void> => {
    await processes.at(-1)?.stop('SIGKILL');
    proxy.retarget(null);
    proxy.dropConnections();
  };
  await start();
  return {
    url: proxy.url,
    proxy,
    token: (subject, role) => signToken({ secret, subject, roles: [role], ttlSeconds: 600 }),
    crash,
    start,
    restart: async () => {
      await crash();
      await start();
    },
    stop: async () => {
      await Promise.all(processes.map((p) => p.stop('SIGKILL')));
      await proxy.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
