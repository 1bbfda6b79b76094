import { describe, expect, it } from '@jest/globals';
import { chaosSuite } from '../support/chaos-suite.js';
import { expectEverythingCompleted, historyOf } from '../support/chaos-workload.js';

/** A worker is SIGKILLed mid-run and a replacement started: its commands are redelivered and finished elsewhere. */
const suite = chaosSuite('worker', 3000);

describe('chaos: a worker SIGKILLed mid-run', () => {
  it('has its work finished by the others, and every client sees each event once', async () => {
    const { deployment } = suite;
    const { token, workload } = await suite.midRun();
    const [victim] = deployment.workers;
    if (!victim) throw new Error('no worker to kill');
    const killedPid = victim.process.child.pid;
    await deployment.killWorker(victim);
    await deployment.startWorker('replacement');

    await expectEverythingCompleted(deployment, token, workload);
    await deployment.waitForReadiness(200, 'every process to be ready');
    // The kill landed mid-run: an investigation has events from the killed worker and from another one.
    const producers = await Promise.all(
      workload.investigations.map(
        async (id) =>
          new Set(
            (await historyOf(deployment.url, token, id)).map((e) =>
              String((e.metadata as { producer?: string }).producer ?? ''),
            ),
          ),
      ),
    );
    expect(producers.some((set) => set.size > 1 && [...set].some((p) => p.endsWith(`:${killedPid}`)))).toBe(true);
  }, 120_000);
});
