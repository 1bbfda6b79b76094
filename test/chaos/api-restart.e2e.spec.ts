import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChaosDeployment } from '../support/chaos-deployment.js';
import { expectEverythingCompleted, startWorkload, waitUntilMidRun } from '../support/chaos-workload.js';

/** The API is SIGKILLed mid-run and started again on the same address: clients resume with their last event id. */
let deployment: ChaosDeployment;
const clients = new AbortController();
beforeAll(async () => {
  deployment = await ChaosDeployment.start('api', {
    SYNTHETIC_CONTRACTS: '3000',
    INVESTIGATION_PAGE_SIZE: '100',
    INVESTIGATION_STEP_DELAY_MS: '100',
  });
}, 60_000);
afterAll(async () => {
  clients.abort();
  await deployment?.dispose();
});

describe('chaos: the API SIGKILLed and restarted', () => {
  it('lets every client resume where it was: each event once, in order; the work goes on meanwhile', async () => {
    const token = await deployment.token();
    const workload = await startWorkload(deployment, token, clients.signal);
    await waitUntilMidRun(deployment, token, workload);

    await deployment.killApi();
    expect((await deployment.readiness())[0]).toBe(0);
    await deployment.startApi();
    await deployment.waitForReadiness(200, 'the restarted api to be ready');

    const { reconnects } = await expectEverythingCompleted(deployment, token, workload);
    // Every watcher and chat lost its connection at least once.
    expect(reconnects).toBeGreaterThanOrEqual(workload.watchers.length + workload.chats.length);
  }, 120_000);
});
