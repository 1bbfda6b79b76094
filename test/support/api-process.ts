import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, type RunningProcess } from './node-process.js';

/** The compiled API in a process of its own, as `npm start` runs it: a crash ends it for real. */
export interface ApiProcess {
  readonly proc: RunningProcess;
  readonly url: string;
  readonly dataDir: string;
  /** Neither exited nor killed. */
  alive(): boolean;
  /** Output since character `from` that is a pino line at error level or above, or no pino line at all (a stack trace). */
  errorLines(from?: number): string[];
  /** SIGKILLs the process and removes its data directory. */
  dispose(): Promise<void>;
}

export async function startApiProcess(env: Record<string, string> = {}): Promise<ApiProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cidadao-api-'));
  const proc = startNode('dist/apps/api/src/main.js', {
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    METRICS_PORT: '0',
    ...env,
  });
  const listening = await proc
    .waitForLog((l) => l.msg === 'api listening')
    .catch(async (error: unknown) => {
      await proc.stop('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    });
  const port = Number(/:(\d+)$/.exec(String(listening.url))?.[1]);
  return {
    proc,
    url: `http://127.0.0.1:${port}`,
    dataDir,
    alive: () => proc.child.exitCode === null && proc.child.signalCode === null,
    errorLines: (from = 0) => errorLines(proc.output().slice(from)),
    dispose: async () => {
      await proc.stop('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function errorLines(output: string): string[] {
  return output
    .split('\n')
    .slice(0, -1) // the last piece is empty, or a line still being written
    .filter((line) => {
      if (line.trim() === '') return false;
      try {
        return ((JSON.parse(line) as { level?: number }).level ?? 0) >= 50;
      } catch {
        return true;
      }
    });
}
