import { describe, expect, it } from '@jest/globals';
import { chaosSuite } from '../support/chaos-suite.js';
import { expectEverythingCompleted } from '../support/chaos-workload.js';

/** NATS is SIGKILLed mid-run and restarted on the same port and store directory. */
const suite = chaosSuite('nats', 3000);

describe('chaos: NATS SIGKILLed and restarted', () => {
  it('refuses new commands meanwhile, then completes every accepted one, and every client sees each event once', async () => {
    const { deployment } = suite;
    const { token, workload } = await suite.midRun();

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
