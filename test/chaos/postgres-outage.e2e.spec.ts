import { describe, expect, it } from '@jest/globals';
import { chaosSuite } from '../support/chaos-suite.js';
import { expectEverythingCompleted, historyOf } from '../support/chaos-workload.js';
import { terminateBackends } from '../support/postgres-faults.js';
import { waitUntil } from '../support/wait-until.js';

/**
 * PostgreSQL goes away under a running deployment: every connection of its database is
 * terminated twice, then the database refuses new connections for a while. Nothing may
 * exit, nothing accepted may be lost, and every client sees each event once.
 */
const suite = chaosSuite('pg', 2000);

describe('chaos: PostgreSQL connections terminated and refused', () => {
  it('keeps every process up, completes every investigation and chat, and every client sees each event once', async () => {
    const { deployment } = suite;
    const { token, workload } = await suite.midRun();
    const storedEvents = async (): Promise<number> =>
      (await Promise.all(workload.investigations.map((id) => historyOf(deployment.url, token, id)))).flat().length;

    for (let round = 0; round < 2; round++) {
      const before = await storedEvents();
      expect(await terminateBackends({ database: deployment.database.name })).toBeGreaterThan(0);
      await waitUntil(
        async () => {
          deployment.expectAlive();
          return (await storedEvents()) > before ? true : undefined;
        },
        `appends to resume after termination ${round + 1}`,
      );
    }

    const running = (
      await Promise.all(workload.investigations.map((id) => historyOf(deployment.url, token, id)))
    ).filter((h) => h.at(-1)?.type !== 'InvestigationCompleted');
    expect(running.length).toBeGreaterThan(0);
    await deployment.database.refuse();
    await deployment.waitForReadiness(503, 'the api and every worker to report not-ready');
    // A few seconds: long enough for held commands to outlive their ack wait but for their heartbeats.
    await waitUntil(
      () =>
        deployment.workers.some((w) => w.process.output().split('storage still unreachable').length > 4)
          ? true
          : undefined,
      'a worker holding commands to probe the store four times',
    );
    const refused = await fetch(`${deployment.url}/api/v1/investigations/${workload.investigations[0]}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect({
      status: refused.status,
      retryAfter: refused.headers.get('retry-after'),
      body: await refused.json(),
    }).toEqual({
      status: 503,
      retryAfter: '5',
      body: { error_code: 'STORE_UNAVAILABLE', message: expect.any(String) },
    });
    const ready = (await (await fetch(`${deployment.url}/health/ready`)).json()) as {
      details: Record<string, unknown>;
    };
    expect(ready.details).toMatchObject({
      status: 'unavailable',
      bus: { status: 'up' },
      store: { status: 'down' },
      audit: { status: 'down' },
    });
    await deployment.database.accept();
    await deployment.waitForReadiness(200, 'every process to be ready again');

    const { reconnects, setbacks } = await expectEverythingCompleted(deployment, token, workload);
    // Streams already open are fed from the live feed, which catches up after the outage: none had to reconnect.
    expect({ reconnects, setbacks }).toEqual({ reconnects: 0, setbacks: [] });
    // The outage met work in flight: workers held commands and resumed them.
    expect(
      deployment.workers.some((w) => w.process.output().includes('storage reachable again: resuming commands')),
    ).toBe(true);
  }, 120_000);
});
