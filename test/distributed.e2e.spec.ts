import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { signToken } from '#platform';
import { DATABASE_URL, distributedDeployment } from './support/distributed-deployment.js';
import { startNode, type RunningProcess } from './support/node-process.js';
import { openSse, type SseFrame, type SseSession } from './support/sse-client.js';

const INVESTIGATIONS = 20;
const deployment = distributedDeployment('spine', {
  SYNTHETIC_CONTRACTS: '1000',
  INVESTIGATION_PAGE_SIZE: '100',
  INVESTIGATION_STEP_DELAY_MS: '150',
  COMMAND_ACK_WAIT_MS: '3000',
  WORKER_CONCURRENCY: '10',
});
const { env } = deployment;
const RUN = deployment.schema;

const processes: RunningProcess[] = [];
let apiUrl = '';
let auth: Record<string, string> = {};

beforeAll(async () => {
  auth = {
    Authorization: `Bearer ${await signToken({ secret: deployment.jwtSecret, subject: 'e2e', roles: ['analyst'], ttlSeconds: 600 })}`,
  };
  const api = startNode('dist/apps/api/src/main.js', env);
  processes.push(api);
  const listening = await api.waitForLog((l) => l.msg === 'api listening');
  apiUrl = String(listening.url).replace('localhost', '127.0.0.1');
  for (const name of ['a', 'b']) {
    const worker = startNode('dist/apps/workers/src/main.js', { ...env, WORKER_NAME: name });
    processes.push(worker);
    await worker.waitForLog((l) => l.msg === 'workers started');
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await deployment.dispose();
});

describe('distributed mode: one API, two workers, NATS JetStream and PostgreSQL', () => {
  it('completes every investigation exactly once although a worker is SIGKILLed midway', async () => {
    const ids: string[] = [];
    for (let i = 0; i < INVESTIGATIONS; i++) {
      const res = await fetch(`${apiUrl}/api/v1/investigations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `${RUN}-${i}`, ...auth },
        body: JSON.stringify({ query: `Análise geral de contratos, lote ${i}`, data_source: 'synthetic' }),
      });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { investigation_id: string }).investigation_id);
    }
    const sessions: SseSession[] = await Promise.all(
      ids.map((id) => openSse(`${apiUrl}/api/v1/investigations/stream/${id}`, { headers: auth })),
    );
    // Kill a worker once every investigation is under way, so it dies holding work.
    await Promise.all(sessions.map((s) => s.waitFor(4)));
    const killedPid = processes[1]?.child.pid;
    await processes[1]?.stop('SIGKILL');

    const live = await Promise.all(sessions.map((s) => s.done));
    for (const [index, frames] of live.entries()) {
      expectOneCleanRun(frames);
      const replay = await openSse(`${apiUrl}/api/v1/investigations/stream/${ids[index]}`, { headers: auth });
      expect(await replay.done).toEqual(frames);
    }
    // The kill landed mid-run: some investigation has events from the killed worker and from the survivor.
    const producers = await producersByStream();
    const resumed = [...producers.values()].filter(
      (set) => set.size > 1 && [...set].some((p) => p.endsWith(`:${killedPid}`)),
    );
    expect(resumed.length).toBeGreaterThan(0);
  }, 240_000);
});

async function producersByStream(): Promise<Map<string, Set<string>>> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ stream_id: string; producer: string }>(
      `SELECT DISTINCT stream_id, metadata->>'producer' AS producer FROM ${pg.escapeIdentifier(deployment.schema)}.events WHERE metadata ? 'producer'`,
    );
    const map = new Map<string, Set<string>>();
    for (const row of rows) map.set(row.stream_id, (map.get(row.stream_id) ?? new Set()).add(row.producer));
    return map;
  } finally {
    await client.end();
  }
}

function expectOneCleanRun(frames: SseFrame[]): void {
  const revisions = frames.map((f) => Number(f.id));
  for (let i = 1; i < revisions.length; i++) expect(revisions[i]).toBeGreaterThan(revisions[i - 1] ?? 0);
  expect(frames.at(-1)?.data.type).toBe('complete');
  expect(frames.filter((f) => f.data.type === 'complete')).toHaveLength(1);
  const anomalyIds = frames.filter((f) => f.data.type === 'anomaly').map((f) => f.data.anomaly_id);
  expect(new Set(anomalyIds).size).toBe(anomalyIds.length);
  const processed = frames.filter((f) => f.data.type === 'progress').map((f) => Number(f.data.records_processed));
  expect(processed.at(-1)).toBe(1000);
  const pages = frames.filter((f) => f.data.type === 'progress' && f.data.current_phase === 'analyzing_contracts');
  expect(pages).toHaveLength(10);
}
