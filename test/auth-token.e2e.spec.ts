import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startNode, type RunningProcess } from './support/node-process.js';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'cidadao-auth-e2e-'));
const secretFile = join(dataDir, 'jwt-dev-secret');
const env = {
  DATA_DIR: dataDir,
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'info',
  INVESTIGATION_STEP_DELAY_MS: '0',
  SYNTHETIC_CONTRACTS: '200',
};
const started: RunningProcess[] = [];

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop('SIGKILL')));
  rmSync(dataDir, { recursive: true, force: true });
});

/** `npm run token` as the npm script runs it: the compiled script, built only when a source is newer. */
async function token(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['scripts/token.mjs', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return stdout.trim();
}

async function exitCodeOf(running: RunningProcess): Promise<number | null> {
  if (running.child.exitCode !== null) return running.child.exitCode;
  const [code] = (await once(running.child, 'exit')) as [number | null];
  return code;
}

async function startServer(): Promise<{ url: string; process: RunningProcess; secretLog: Record<string, unknown> }> {
  const server = startNode('dist/apps/api/src/main.js', env);
  started.push(server);
  const listening = await server.waitForLog((l) => l.msg === 'api listening');
  const secretLog = await server.waitForLog((l) => String(l.msg).startsWith('JWT_SECRET is not set'));
  return { url: String(listening.url).replace('localhost', '127.0.0.1'), process: server, secretLog };
}

describe('embedded development secret and npm run token', () => {
  it('runs the compiled script without building again when the build is fresh', async () => {
    const compiled = 'dist/scripts/token.js';
    const builtAt = statSync(compiled).mtimeMs;
    const ownDir = mkdtempSync(join(tmpdir(), 'cidadao-token-e2e-'));
    const { stdout } = await run(process.execPath, ['scripts/token.mjs', '--sub', 'ana', '--role', 'viewer'], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: ownDir },
    });
    rmSync(ownDir, { recursive: true, force: true });
    const printed = stdout.trim();
    expect(printed).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(statSync(compiled).mtimeMs).toBe(builtAt);
  });

  it('persists a secret at first start, signs tokens with it, and reuses it after a restart', async () => {
    const first = await startServer();
    expect(first.secretLog).toMatchObject({ level: 40, created: true, file: secretFile });
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretFile, 'utf8');
    const ana = await token('--sub', 'ana', '--role', 'analyst');
    expect(ana).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const start = await fetch(`${first.url}/api/v1/investigations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ana}` },
      body: JSON.stringify({ query: 'contratos de saúde' }),
    });
    expect(start.status).toBe(202);
    const { investigation_id: id } = (await start.json()) as { investigation_id: string };
    const forged = await fetch(`${first.url}/api/v1/investigations/${id}`, {
      headers: { Authorization: `Bearer ${ana.slice(0, -4)}AAAA` },
    });
    expect(forged.status).toBe(401);
    await first.process.stop();

    const second = await startServer();
    expect(second.secretLog).toMatchObject({ created: false, file: secretFile });
    expect(readFileSync(secretFile, 'utf8')).toBe(secret);
    const mine = await fetch(`${second.url}/api/v1/investigations/${id}`, {
      headers: { Authorization: `Bearer ${ana}` },
    });
    expect(mine.status).toBe(200);
    const bob = await token('--sub', 'bob', '--role', 'analyst', '--ttl', '60');
    const notMine = await fetch(`${second.url}/api/v1/investigations/${id}`, {
      headers: { Authorization: `Bearer ${bob}` },
    });
    expect(notMine.status).toBe(404);
    await second.process.stop();
  });

  it('refuses an unknown role with a usage line', async () => {
    await expect(token('--sub', 'ana', '--role', 'superuser')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--role must be one of viewer, analyst, auditor, admin'),
    });
  });

  it('will not start a distributed API that cannot verify tokens, naming JWT_SECRET', async () => {
    const api = startNode('dist/apps/api/src/main.js', {
      ...env,
      NATS_URL: 'nats://127.0.0.1:4222',
      EVENT_STORE: 'postgres',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
    });
    started.push(api);
    expect(await exitCodeOf(api)).toBe(1);
    expect(api.output()).toContain('JWT_SECRET: is required in distributed mode');
  });

  it('will not start a distributed API that could not derive the same ids as its peers, naming ID_SECRET', async () => {
    const distributed = {
      ...env,
      NATS_URL: 'nats://127.0.0.1:4222',
      EVENT_STORE: 'postgres',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
    };
    const api = startNode('dist/apps/api/src/main.js', { ...distributed, JWT_JWKS_URL: 'https://idp.example/jwks' });
    started.push(api);
    expect(await exitCodeOf(api)).toBe(1);
    expect(api.output()).toContain('ID_SECRET: is required in distributed mode');
  });
});
