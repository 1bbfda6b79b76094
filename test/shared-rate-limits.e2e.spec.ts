import { afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { signToken } from '#platform';
import { distributedDeployment, type DistributedDeployment } from './support/distributed-deployment.js';
import { startNode, type RunningProcess } from './support/node-process.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PER_MINUTE = 6;

let deployment: DistributedDeployment | undefined;
const processes: RunningProcess[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop('SIGKILL')));
  await deployment?.dispose();
  deployment = undefined;
});

async function startApis(env: Record<string, string>): Promise<string[]> {
  deployment = distributedDeployment('ratelimit', {
    RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
    RATE_LIMIT_PER_MINUTE_IP: '0',
    ...env,
  });
  const urls: string[] = [];
  for (let i = 0; i < 2; i++) {
    const api = startNode('dist/apps/api/src/main.js', { ...deployment.env, METRICS_PORT: '0' });
    processes.push(api);
    urls.push(String((await api.waitForLog((l) => l.msg === 'api listening')).url));
  }
  return urls;
}

/** Alternates between the API processes until one answers 429; returns how many were let through. */
async function requestsAllowed(urls: string[], token: string): Promise<number> {
  let allowed = 0;
  for (let i = 0; i < PER_MINUTE * urls.length + 2; i++) {
    const res = await fetch(`${urls[i % urls.length]}/api/v1/investigations/${randomUUID()}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    if (res.status === 429) {
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await res.json()).toMatchObject({ error_code: 'RATE_LIMITED' });
      return allowed;
    }
    expect(res.status).toBe(404);
    allowed++;
  }
  return allowed;
}

const redisUp = (): Promise<boolean> =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(REDIS_URL);
    const socket = connect(Number(port || 6379), hostname, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('rate limits shared by every API process', () => {
  it('gives a user RATE_LIMIT_PER_MINUTE across two processes, counted in PostgreSQL', async () => {
    const urls = await startApis({});
    const token = await signToken({
      secret: deployment?.jwtSecret ?? '',
      subject: `ana-${randomUUID()}`,
      roles: ['analyst'],
      ttlSeconds: 600,
    });
    expect(await requestsAllowed(urls, token)).toBe(PER_MINUTE);
  }, 60_000);

  it('does the same counted in Redis when REDIS_URL is set', async () => {
    if (!(await redisUp())) {
      console.log(`Redis rate-limit test skipped: nothing answers at ${REDIS_URL}`);
      return;
    }
    const urls = await startApis({ REDIS_URL, RATE_LIMIT_KEY_PREFIX: `e2e_${randomUUID().slice(0, 8)}` });
    const token = await signToken({
      secret: deployment?.jwtSecret ?? '',
      subject: `bob-${randomUUID()}`,
      roles: ['viewer'],
      ttlSeconds: 600,
    });
    expect(await requestsAllowed(urls, token)).toBe(PER_MINUTE);
  }, 60_000);
});
