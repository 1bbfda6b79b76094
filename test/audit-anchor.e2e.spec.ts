import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken } from '#platform';
import { startNode, type RunningProcess } from './support/node-process.js';

const JWT_SECRET = `anchor-e2e-${randomUUID()}-${randomUUID()}`;
const dataDir = mkdtempSync(join(tmpdir(), 'audit-anchor-e2e-'));
const started: RunningProcess[] = [];

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop('SIGKILL')));
  rmSync(dataDir, { recursive: true, force: true });
});

/** The embedded server as `npm start` runs it, without AUDIT_HMAC_KEY. */
async function startApi(): Promise<{ url: string; api: RunningProcess }> {
  const api = startNode('dist/apps/api/src/main.js', {
    DATA_DIR: dataDir,
    JWT_SECRET,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
  });
  started.push(api);
  const listening = await api.waitForLog((l) => l.msg === 'api listening');
  return { url: String(listening.url).replace('localhost', '127.0.0.1'), api };
}

interface Verdict {
  readonly valid: boolean;
  readonly records_checked: number;
  readonly latest_checkpoint: { readonly seq: number } | null;
  readonly anchored_through: number;
}

describe('the embedded audit chain across a restart', () => {
  it('keys the chain with a key kept in DATA_DIR, anchors it at shutdown and verifies after the restart', async () => {
    const headers = {
      Authorization: `Bearer ${await signToken({ secret: JWT_SECRET, subject: 'carol', roles: ['auditor'], ttlSeconds: 600 })}`,
    };
    const first = await startApi();
    const keyLog = await first.api.waitForLog(
      (l) => l.msg === 'audit HMAC key from DATA_DIR (set AUDIT_HMAC_KEY to manage it yourself)',
    );
    expect(keyLog).toMatchObject({ created: true, file: join(dataDir, 'audit-hmac-key') });
    await fetch(`${first.url}/api/v1/audit/verify`, { headers: { Authorization: 'Bearer not-a-jwt' } });
    const before = (await (await fetch(`${first.url}/api/v1/audit/verify`, { headers })).json()) as Verdict;
    expect(before).toMatchObject({ valid: true, latest_checkpoint: null });
    expect(await first.api.stop('SIGTERM')).toBe(0);

    const second = await startApi();
    expect(await second.api.waitForLog((l) => String(l.msg).startsWith('audit HMAC key'))).toMatchObject({
      created: false,
      keyId: keyLog.keyId,
    });
    const after = (await (await fetch(`${second.url}/api/v1/audit/verify`, { headers })).json()) as Verdict;
    // The shutdown checkpoint anchored the first run's records; this run added carol's login.
    expect(after).toMatchObject({
      valid: true,
      records_checked: before.records_checked + 1,
      latest_checkpoint: { seq: before.records_checked },
      anchored_through: before.records_checked,
    });
    expect(existsSync(join(dataDir, 'audit-hmac-key'))).toBe(true);
    await second.api.stop('SIGTERM');
  }, 60_000);
});
