import { afterAll, beforeAll } from '@jest/globals';
import { ChaosDeployment } from './chaos-deployment.js';
import { startWorkload, waitUntilMidRun, type Workload } from './chaos-workload.js';

export interface ChaosSuite {
  /** The deployment the file's tests share, once it started. */
  readonly deployment: ChaosDeployment;
  /** A token, and the workload its clients run, once the workload is in the middle of its run. */
  midRun(): Promise<{ readonly token: string; readonly workload: Workload }>;
}

/**
 * One chaos deployment for a spec file: started before its tests (investigations of
 * `contracts` records, a page of 100 every 100 ms), disposed after them with its clients stopped.
 */
export function chaosSuite(name: string, contracts: number): ChaosSuite {
  let deployment: ChaosDeployment | undefined;
  const clients = new AbortController();
  beforeAll(async () => {
    deployment = await ChaosDeployment.start(name, {
      SYNTHETIC_CONTRACTS: String(contracts),
      INVESTIGATION_PAGE_SIZE: '100',
      INVESTIGATION_STEP_DELAY_MS: '100',
    });
  }, 60_000);
  afterAll(async () => {
    clients.abort();
    await deployment?.dispose();
  });
  const started = (): ChaosDeployment => {
    if (!deployment) throw new Error(`the ${name} chaos deployment did not start`);
    return deployment;
  };
  return {
    get deployment() {
      return started();
    },
    midRun: async () => {
      const running = started();
      const token = await running.token();
      const workload = await startWorkload(running, token, clients.signal);
      await waitUntilMidRun(running, token, workload);
      return { token, workload };
    },
  };
}
