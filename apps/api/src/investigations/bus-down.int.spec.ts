import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createRuntime, loadSections, Metrics, signToken, silentLogger, type Runtime } from '#platform';
import { NatsServerProcess } from '../../../../libs/platform/src/command-bus/jetstream/jetstream.testing.js';
import { startApi, type ApiServer } from '../bootstrap.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `busdown_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const SECRET = `bus-down-secret-${randomUUID()}`;

let nats: NatsServerProcess;
let runtime: Runtime;
let api: ApiServer;
let token = '';

beforeAll(async () => {
  nats = await NatsServerProcess.start();
  const settings = loadSections({
    NATS_URL: nats.url,
    EVENT_STORE: 'postgres',
    DATABASE_URL,
    DATABASE_SCHEMA: SCHEMA,
    JWT_SECRET: SECRET,
    AUDIT_HMAC_KEY: SECRET,
    DATA_DIR: '/tmp',
  });
  runtime = await createRuntime(settings, silentLogger, new Metrics());
  api = await startApi(runtime, 0, '127.0.0.1');
  token = await signToken({ secret: SECRET, subject: 'ana', roles: ['analyst'], ttlSeconds: 600 });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await runtime?.close();
  await nats?.dispose();
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await client.end();
});

const start = () =>
  fetch(`${api.url}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: 'contratos de saúde' }),
  });

describe('when the command bus is down', () => {
  it('answers 503 with Retry-After, starts nothing, and readiness reports the bus down', async () => {
    expect((await start()).status).toBe(202);
    await nats.kill();
    const before = await runtime.store.headPosition();
    const res = await start();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await res.json()).toMatchObject({ error_code: 'SERVICE_UNAVAILABLE', message: expect.any(String) });
    expect(await runtime.store.headPosition()).toBe(before);
    const ready = await fetch(`${api.url}/health/ready`);
    expect(ready.status).toBe(503);
  }, 60_000);
});
