import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, type RunningProcess } from './node-process.js';

/** The built embedded API (npm start) on a data directory that outlives a killed process. */
export interface EmbeddedProcesses {
  /** Every process started, oldest first. */
  readonly processes: readonly RunningProcess[];
  /** One more process on the same data; resolves with its URL once it listens. */
  start(): Promise<string>;
  /** Kills every process and removes the data directory. */
  stop(): Promise<void>;
}

/** Investigations of ten pages that last a few seconds, so that a kill can fall in the middle of one. */
export function embeddedProcesses(name: string, env: Record<string, string> = {}): EmbeddedProcesses {
  const dataDir = mkdtempSync(join(tmpdir(), `${name}-`));
  const settings = {
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    SYNTHETIC_CONTRACTS: '1000',
    INVESTIGATION_PAGE_SIZE: '100',
    INVESTIGATION_STEP_DELAY_MS: '150',
    ...env,
  };
  const processes: RunningProcess[] = [];
  return {
    processes,
    start: async () => {
      const api = startNode('dist/apps/api/src/main.js', settings);
      processes.push(api);
      return String((await api.waitForLog((l) => l.msg === 'api listening')).url).replace('localhost', '127.0.0.1');
    },
    stop: async () => {
      await Promise.all(processes.map((p) => p.stop('SIGKILL')));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
