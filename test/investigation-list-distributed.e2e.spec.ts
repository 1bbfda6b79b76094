import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signToken } from '#platform';
import { distributedDeployment } from './support/distributed-deployment.js';
import { startNode, type RunningProcess } from './support/node-process.js';
import { waitUntil } from './support/wait-until.js';

const deployment = distributedDeployment('read_models', {
  INVESTIGATION_STEP_DELAY_MS: '0',
  COMMAND_ACK_WAIT_MS: '3000',
});
const { env } = deployment;
const processes: RunningProcess[] = [];
const workers = new Map<string, RunningProcess>();
let apiUrl = '';
let auth: Record<string, string> = {};

const leaseTaken = (projection: string) => (line: Record<string, unknown>) =>
  line.msg === 'projector lease taken' && line.projection === projection;

beforeAll(async () => {
  const token = await signToken({ secret: deployment.jwtSecret, subject: 'ana', roles: ['analyst'], ttlSeconds: 600 });
  auth = { Authorization: `Bearer ${token}` };
  const api = startNode('dist/apps/api/src/main.js', env);
  processes.push(api);
  apiUrl = String((await api.waitForLog((l) => l.msg === 'api listening')).url).replace('localhost', '127.0.0.1');
  for (const name of ['a', 'b']) {
    const worker = startNode('dist/apps/workers/src/main.js', { ...env, WORKER_NAME: name });
    processes.push(worker);
    workers.set(name, worker);
    await worker.waitForLog((l) => l.msg === 'workers started');
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await deployment.dispose();
});

async function investigate(query: string): Promise<string> {
  const res = await fetch(`${apiUrl}/api/v1/investigations`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ query, data_source: 'synthetic' }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { investigation_id: string }).investigation_id;
}

/** Waits until the list (read from PostgreSQL by the api) shows the investigation completed. */
const listedCompleted = (id: string) =>
  waitUntil(
    async () => {
      const page = (await (await fetch(`${apiUrl}/api/v1/investigations`, { headers: auth })).json()) as {
        items: Array<{ investigation_id: string; status: string }>;
      };
      return page.items.find((item) => item.investigation_id === id && item.status === 'completed');
    },
    `investigation ${id} listed as completed`,
    30_000,
  );

/** The worker running `projection`: exactly one of them. */
async function holderOf(projection: string): Promise<string> {
  const found = await Promise.any(
    [...workers].map(async ([name, worker]) => (await worker.waitForLog(leaseTaken(projection), 10_000), name)),
  );
  return found;
}

describe('read models in a distributed deployment (PostgreSQL)', () => {
  it('are kept by one worker per projection, and by another once that worker dies', async () => {
    const first = await investigate('Contratos de saúde em 2024');
    await listedCompleted(first);
    const holder = await holderOf('investigation-summaries');
    for (const [name, worker] of workers) {
      const held = worker
        .output()
        .split('\n')
        .filter((line) => line.includes('"projection":"investigation-summaries"'));
      expect({ name, leases: held.filter((line) => line.includes('projector lease taken')).length }).toEqual({
        name,
        leases: name === holder ? 1 : 0,
      });
    }
    await workers.get(holder)?.stop('SIGKILL');
    workers.delete(holder);
    const [, survivor] = [...workers][0] ?? [];
    await survivor?.waitForLog(leaseTaken('investigation-summaries'), 30_000);
    const second = await investigate('Merenda escolar');
    await listedCompleted(second);
    const metrics = await (await fetch(`${apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/^projection_lag_events\{projection="chat-histories"\} \d+$/m);
  });
});
