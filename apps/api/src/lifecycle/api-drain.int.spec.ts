import { afterEach, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';
import { openSse } from '../../../../test/support/sse-client.js';
import { ShutdownRegistry, WS_CLOSE_SERVICE_RESTART } from './shutdown-registry.js';

let app: EmbeddedApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

async function startSlowInvestigation(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: 'contratos de saúde', data_source: 'synthetic' }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { investigation_id: string }).investigation_id;
}

describe('draining the api (graceful shutdown, HTTP side)', () => {
  it('ends live SSE streams cleanly and stops accepting connections', async () => {
    app = await startEmbeddedApp({ INVESTIGATION_STEP_DELAY_MS: '50', SYNTHETIC_CONTRACTS: '5000' });
    const id = await startSlowInvestigation(app.url);
    const sse = await openSse(`${app.url}/api/v1/investigations/stream/${id}`);
    await sse.waitFor(3);
    await app.api.drain();
    const frames = await sse.done;
    expect(frames.length).toBeGreaterThanOrEqual(3);
    // Ended mid-investigation: the client resumes elsewhere from the last id it saw.
    expect(frames.some((f) => f.data.type === 'complete')).toBe(false);
    await expect(fetch(`${app.url}/health`)).rejects.toThrow();
  });

  it('runs the shutdown hooks, which close WebSockets with 1012', async () => {
    app = await startEmbeddedApp();
    const wss = new WebSocketServer({ server: app.api.app.getHttpServer(), path: '/test-ws' });
    app.api.app.get(ShutdownRegistry).register('test-ws', () => {
      for (const socket of wss.clients) socket.close(WS_CLOSE_SERVICE_RESTART, 'service restart');
    });
    try {
      const client = new WebSocket(`${app.url.replace('http', 'ws')}/test-ws`);
      await once(client, 'open');
      const closed = once(client, 'close');
      await app.api.drain();
      const [code, reason] = (await closed) as [number, Buffer];
      expect(code).toBe(1012);
      expect(reason.toString()).toBe('service restart');
      expect(app.api.app.get(ShutdownRegistry).stopping).toBe(true);
    } finally {
      wss.close();
    }
  });
});
