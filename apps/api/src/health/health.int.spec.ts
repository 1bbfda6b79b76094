import { afterEach, describe, expect, it } from '@jest/globals';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';

let app: EmbeddedApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

describe('health endpoints', () => {
  it('reports liveness and readiness while bus and store answer', async () => {
    app = await startEmbeddedApp();
    const live = await fetch(`${app.url}/health`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok', uptime_seconds: expect.any(Number) });
    const ready = await fetch(`${app.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      bus: { kind: 'in-process', status: 'up' },
      store: { kind: 'sqlite', status: 'up' },
      audit: { kind: 'sqlite', status: 'up' },
    });
  });

  it('answers 503 with the failing dependency once the store is closed, while liveness holds', async () => {
    app = await startEmbeddedApp();
    await app.runtime.store.close();
    const ready = await fetch(`${app.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('5');
    expect(await ready.json()).toMatchObject({
      error_code: 'NOT_READY',
      details: { status: 'unavailable', bus: { status: 'up' }, store: { kind: 'sqlite', status: 'down' } },
    });
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
  });

  it('answers 503 once the bus is closed', async () => {
    app = await startEmbeddedApp();
    await app.runtime.bus.close();
    const ready = await fetch(`${app.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      details: { bus: { kind: 'in-process', status: 'down' }, store: { status: 'up' } },
    });
  });
});
