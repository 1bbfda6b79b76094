// A distributed deployment of the project for the scale-out bench, on this machine's NATS and
// PostgreSQL with a schema, streams and subjects of its own: the workers process (which also
// appends the bench's events) and API processes, each from the build, each stopped with the run.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { limitCpu } from './cpu-limit.mjs';
import { child, freePort, onInterrupt, spawnTracked, stopProc, tempDir, waitListening } from '../peers/procs.mjs';
import { PROJECT_DIR, PROJECT_ENV } from '../peers/run.mjs';
// The deployment the distributed e2e tests use, from the build (`npm run build` compiles it).
import { distributedDeployment } from '../../dist/test/support/distributed-deployment.js';

/** `apiCpu`: when set, each API process runs under a CPU limit of that many cores (see cpu-limit.mjs). */
export async function startDeployment(apis, { apiCpu } = {}) {
  const dataDir = tempDir('scale-out-');
  const deployment = distributedDeployment('bench_scale', {
    ...PROJECT_ENV,
    AUTH_REQUIRED: 'false',
    ID_SECRET: randomBytes(32).toString('base64url'),
    DATA_DIR: dataDir,
    PROJECT_DIR,
  });
  const { env } = deployment;
  const started = [];
  const dropStorage = async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await deployment.dispose();
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
      let limit;
      // Registered first, so that a limit that cannot be set still stops the process with the rest.
      started.push({
        pid: proc.pid,
        stop: async () => {
          await stopProc(proc);
          limit?.release();
        },
      });
      if (apiCpu) limit = limitCpu(proc.pid, apiCpu, 'scale-out-api');
      if (!(await waitListening(port, 60_000))) throw new Error(`API ${i + 1} did not listen on ${port}`);
      ports.push(port);
    }
    return { publisher, apis: started.slice(1).map((p, i) => ({ pid: p.pid, port: ports[i] })), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
