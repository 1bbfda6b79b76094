import { describe, expect, it } from '@jest/globals';
import { chaosSuite } from '../support/chaos-suite.js';
import { expectEverythingCompleted } from '../support/chaos-workload.js';

/**
 * The API is SIGKILLed mid-run and started again on the same address: clients resume with their
 * last event id. The runs are long (80 pages of 100 ms) so that on a busy machine they are still
 * under way when the kill lands, not ended between the check and the kill.
 */
const suite = chaosSuite('api', 8000);

describe('chaos: the API SIGKILLed and restarted', () => {
  it('lets every client resume where it was: each event once, in order; the work goes on meanwhile', async () => {
    const { deployment } = suite;
    const { token, workload } = await suite.midRun();

    await deployment.killApi();
    expect((await deployment.readiness())[0]).toBe(0);
    await deployment.startApi();
    await deployment.waitForReadiness(200, 'the restarted api to be ready');

    const { reconnects } = await expectEverythingCompleted(deployment, token, workload);
    // Every watcher and chat lost its connection at least once.
    expect(reconnects).toBeGreaterThanOrEqual(workload.watchers.length + workload.chats.length);
  }, 120_000);
});
