import { afterAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, type RunningProcess } from './support/node-process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'startup-'));
const started: RunningProcess[] = [];

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop('SIGKILL')));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an API that cannot start', () => {
  it('on a port another process holds exits 1 with one line that says so', async () => {
    const holder = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as { port: number };
    try {
      const api = startNode('dist/apps/api/src/main.js', {
        DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
      });
      started.push(api);
      const [code] = (await once(api.child, 'exit')) as [number | null];
      expect(code).toBe(1);
      expect(api.output()).toContain(
        `cannot listen on 127.0.0.1:${port}: the address is in use: stop the process that holds it, or choose another port (PORT, HOST, METRICS_PORT)`,
      );
      expect(api.output()).not.toContain('    at ');
    } finally {
      holder.close();
    }
  });
});
