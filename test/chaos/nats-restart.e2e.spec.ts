import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChaosDeployment } from '../support/chaos-deployment.js';
import { expectEverythingCompleted, startWorkload, waitUntilMidRun } from '../support/chaos-workload.js';

/** NATS is SIGKILLed mid-run and restarted on the same port and store directory. */
let deployment: ChaosDeployment;
const clients = new AbortController();
beforeAll(async () => {
  deployment = await ChaosDeployment.start('nats', {
    SYNTHETIC_CONTRACTS: '3000',
    INVESTIGATION_PAGE_SIZE: '100',
    INVESTIGATION_STEP_DELAY_MS: '100',
  });
}, 60_000);
afterAll(async () => {
  clients.abort();
  await deployment?.dispose();
});

describe('chaos: NATS SIGKILLed and restarted', () => {
  it('refuses new commands meanwhile, then completes every accepted one, and every client sees each event once', async () => {
    const token = await deployment.token();
    const workload = await startWorkload(deployment, token, clients.signal);
    await waitUntilMidRun(deployment, token, workload);

    await deployment.nats.kill();
    await deployment.waitForReadiness(503, 'the api and every worker to report the bus down');
    const refused = await fetch(`${deployment.url}/api/v1/investigations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'durante a queda do NATS', data_source: 'synthetic' }),
    });
    expect({ status: refused.status, retryAfter: refused.headers.get('retry-after') }).toEqual({
      status: 503,
      retryAfter: '5',
    });
    expect(((await refused.json()) as { error_code: string }).error_code).toBe('SERVICE_UNAVAILABLE');
    await deployment.nats.restart();
    await deployment.waitForReadiness(200, 'every process to be ready again');

    await expectEverythingCompleted(deployment, token, workload);
  }, 120_000);
});
