import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { startNode, type RunningProcess } from './support/node-process.js';
import { openSse, type SseFrame, type SseSession } from './support/sse-client.js';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN = randomUUID().replaceAll('-', '').slice(0, 10);
const INVESTIGATIONS = 20;

const env: Record<string, string> = {
  NATS_URL,
  EVENT_STORE: 'postgres',
  DATABASE_URL,
  DATABASE_SCHEMA: `e2e_${RUN}`,
  NATS_COMMANDS_STREAM: `E2E_${RUN}`,
  NATS_COMMANDS_SUBJECT: `e2e_${RUN}`,
  NATS_COMMANDS_CONSUMER: `workers_${RUN}`,
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'info',
  SYNTHETIC_CONTRACTS: '1000',
  INVESTIGATION_PAGE_SIZE: '100',
  INVESTIGATION_STEP_DELAY_MS: '150',
  COMMAND_ACK_WAIT_MS: '3000',
  WORKER_CONCURRENCY: '10',
};

const processes: RunningProcess[] = [];
let apiUrl = '';

async function dropEverything(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS e2e_${RUN} CASCADE`);
  await client.end();
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(`E2E_${RUN}`).catch(() => false);
  await nc.close();
}

beforeAll(async () => {
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
  await dropEverything();
});

describe('distributed mode: one API, two workers, NATS JetStream and PostgreSQL', () => {
  it('completes every investigation exactly once although a worker is SIGKILLed midway', async () => {
    const ids: string[] = [];
    for (let i = 0; i < INVESTIGATIONS; i++) {
      const res = await fetch(`${apiUrl}/api/v1/investigations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `${RUN}-${i}` },
        body: JSON.stringify({ query: `Contratos de saúde acima de R$ 1 milhão (${i})` }),
      });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { investigation_id: string }).investigation_id);
    }
    const sessions: SseSession[] = await Promise.all(ids.map((id) => openSse(`${apiUrl}/api/v1/investigations/stream/${id}`)));
    // Kill a worker once every investigation is under way, so it dies holding work.
    await Promise.all(sessions.map((s) => s.waitFor(4)));
    await processes[1]?.stop('SIGKILL');

    const live = await Promise.all(sessions.map((s) => s.done));
    for (const [index, frames] of live.entries()) {
      expectOneCleanRun(frames);
      const replay = await openSse(`${apiUrl}/api/v1/investigations/stream/${ids[index]}`);
      expect(await replay.done).toEqual(frames);
    }
  }, 240_000);
});

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
