import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { startNode, type RunningProcess } from './support/node-process.js';
import { waitUntil } from './support/wait-until.js';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN = randomUUID().replaceAll('-', '').slice(0, 10);

const env: Record<string, string> = {
  NATS_URL,
  EVENT_STORE: 'postgres',
  DATABASE_URL,
  DATABASE_SCHEMA: `ops_${RUN}`,
  NATS_COMMANDS_STREAM: `OPS_${RUN}`,
  NATS_COMMANDS_SUBJECT: `ops_${RUN}`,
  NATS_COMMANDS_CONSUMER: `workers_${RUN}`,
  HOST: '127.0.0.1',
  METRICS_PORT: '0',
  LOG_LEVEL: 'info',
  AUDIT_HMAC_KEY: `ops-audit-key-${RUN}-${randomUUID()}`,
};
const processes: RunningProcess[] = [];

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ops_${RUN} CASCADE`);
  await client.end();
  const nc = await connect({ servers: NATS_URL });
  await (await jetstreamManager(nc)).streams.delete(`OPS_${RUN}`).catch(() => false);
  await nc.close();
});

describe('a workers process (distributed mode)', () => {
  it('serves its metrics for Prometheus, and exits 0 after draining on SIGTERM', async () => {
    const worker = startNode('dist/apps/workers/src/main.js', env);
    processes.push(worker);
    const started = await worker.waitForLog((l) => l.msg === 'workers started');
    expect(started.metricsPort).toEqual(expect.any(Number));
    const url = `http://127.0.0.1:${String(started.metricsPort)}/metrics`;
    const pending = new RegExp(`^jetstream_consumer_pending\\{consumer="workers_${RUN}"\\} 0$`, 'm');
    // The pending gauge is filled by the consumer's first info request, shortly after start.
    const text = await waitUntil(async () => {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const body = await res.text();
      return pending.test(body) ? body : undefined;
    }, 'the consumer pending gauge');
    expect(text).toContain('# TYPE command_processing_duration_seconds histogram');
    expect(text).toContain('# TYPE events_appended_total counter');

    expect(await worker.stop('SIGTERM')).toBe(0);
    expect(worker.output()).toContain('"msg":"shutdown complete"');
  });

  it('will not start without the shared audit key, naming AUDIT_HMAC_KEY', async () => {
    const { AUDIT_HMAC_KEY: _omitted, ...withoutKey } = env;
    const worker = startNode('dist/apps/workers/src/main.js', withoutKey);
    processes.push(worker);
    const [code] =
      worker.child.exitCode === null
        ? ((await once(worker.child, 'exit')) as [number | null])
        : [worker.child.exitCode];
    expect(code).toBe(1);
    expect(worker.output()).toContain('AUDIT_HMAC_KEY: is required in distributed mode');
  });
});
