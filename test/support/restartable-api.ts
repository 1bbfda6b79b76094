import { randomUUID } from 'node:crypto';
import { signToken, type Role } from '#platform';
import { embeddedProcesses } from './embedded-process.js';
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
  const api = embeddedProcesses(name, {
    JWT_SECRET: secret,
    SSE_RETRY_MS: '200',
    INVESTIGATION_STEP_DELAY_MS: String(stepDelayMs),
  });
  const proxy = await startTcpProxy();
  const start = async (): Promise<void> => {
    proxy.retarget(Number(new URL(await api.start()).port));
  };
  const crash = async (): Promise<void> => {
    await api.processes.at(-1)?.stop('SIGKILL');
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
      await api.stop();
      await proxy.close();
    },
  };
}
