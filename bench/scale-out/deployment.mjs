// A distributed deployment of the project for the scale-out bench, on this machine's NATS and
// PostgreSQL with a schema, streams and subjects of its own: the workers process (which also
// appends the bench's events) and API processes, each from the build, each stopped with the run.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { child, freePort, onInterrupt, spawnTracked, stopProc, tempDir, waitListening } from '../peers/procs.mjs';
import { PROJECT_DIR, PROJECT_ENV } from '../peers/run.mjs';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function startDeployment(apis) {
  const run = randomBytes(5).toString('hex');
  const schema = `bench_scale_${run}`;
  const dataDir = tempDir('scale-out-');
  const env = {
    ...PROJECT_ENV,
    NATS_URL,
    EVENT_STORE: 'postgres',
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    NATS_COMMANDS_STREAM: `BENCH_${run}`.toUpperCase(),
    NATS_COMMANDS_SUBJECT: `bench_${run}`,
    NATS_COMMANDS_CONSUMER: `workers_${run}`,
    NATS_EVENTS_STREAM: `BENCH_EVENTS_${run}`.toUpperCase(),
    NATS_EVENTS_SUBJECT: `bench_events_${run}`,
    NATS_AUDIT_STREAM: `BENCH_AUDIT_${run}`.toUpperCase(),
    NATS_AUDIT_SUBJECT: `bench_audit_${run}`,
    AUTH_REQUIRED: 'false',
    ID_SECRET: randomBytes(32).toString('base64url'),
    AUDIT_HMAC_KEY: randomBytes(32).toString('base64url'),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    PROJECT_DIR,
  };
  const started = [];
  const dropStorage = async () => {
    rmSync(dataDir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await client.end();
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    for (const name of [env.NATS_COMMANDS_STREAM, env.NATS_EVENTS_STREAM, env.NATS_AUDIT_STREAM])
      await jsm.streams.delete(name).catch(() => false);
    await nc.close();
  };
  const forget = onInterrupt(dropStorage);
  const dispose = async () => {
    for (const proc of started.reverse()) await proc.stop();
    forget();
    await dropStorage();
  };
  try {
    const publisher = child(join(PROJECT_DIR, 'bench', 'peers', 'servers.mjs'), ['project-workers'], env);
    started.push(publisher);
    await publisher.started;
    const ports = [];
    for (let i = 0; i < apis; i++) {
      const port = await freePort();
      const proc = spawnTracked(process.execPath, [join(PROJECT_DIR, 'dist', 'apps', 'api', 'src', 'main.js')], {
        env: { ...process.env, ...env, PORT: String(port) },
        stdio: ['ignore', 2, 2],
      });
      started.push({ pid: proc.pid, stop: () => stopProc(proc) });
      if (!(await waitListening(port, 60_000))) throw new Error(`API ${i + 1} did not listen on ${port}`);
      ports.push(port);
    }
    return { publisher, apis: started.slice(1).map((p, i) => ({ pid: p.pid, port: ports[i] })), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
