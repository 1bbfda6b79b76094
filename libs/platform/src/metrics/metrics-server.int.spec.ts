import { describe, expect, it } from '@jest/globals';
import { checkReadiness } from '../health/readiness.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store.js';
import { Metrics } from './metrics.js';
import { startMetricsServer } from './metrics-server.js';

describe('startMetricsServer (the workers’ scrape endpoint)', () => {
  it('serves the registry at GET /metrics and nothing else', async () => {
    const metrics = new Metrics();
    metrics.commandDuration.observe({ command: 'RunInvestigation', outcome: 'ok' }, 0.2);
    const server = await startMetricsServer(metrics, 0, '127.0.0.1', silentLogger);
    try {
      expect(server.port).toBeGreaterThan(0);
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toContain(
        'command_processing_duration_seconds_count{command="RunInvestigation",outcome="ok"} 1',
      );
      expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('tolerates a port already taken: the worker runs on without a listener', async () => {
    const first = await startMetricsServer(new Metrics(), 0, '127.0.0.1', silentLogger);
    try {
      const second = await startMetricsServer(new Metrics(), first.port ?? 0, '127.0.0.1', silentLogger);
      expect(second.port).toBeNull();
      await second.close();
    } finally {
      await first.close();
    }
  });

  it('takes the first free port of a range and logs it; a range all taken is tolerated', async () => {
    const taken = await startMetricsServer(new Metrics(), 0, '127.0.0.1', silentLogger);
    const first = taken.port ?? 0;
    const said: Array<{ obj: object; msg: string | undefined }> = [];
    const logger: Logger = { ...silentLogger, info: (obj, msg) => said.push({ obj, msg }), child: () => logger };
    try {
      const second = await startMetricsServer(new Metrics(), { first, last: first + 20 }, '127.0.0.1', logger);
      try {
        expect(second.port).toBeGreaterThan(first);
        expect(second.port).toBeLessThanOrEqual(first + 20);
        expect((await fetch(`http://127.0.0.1:${second.port}/metrics`)).status).toBe(200);
        expect(said).toContainEqual({ obj: { port: second.port }, msg: `metrics listening on port ${second.port}` });
      } finally {
        await second.close();
      }
      const none = await startMetricsServer(new Metrics(), { first, last: first }, '127.0.0.1', silentLogger);
      expect(none.port).toBeNull();
      await none.close();
    } finally {
      await taken.close();
    }
  });

  it('serves liveness and the readiness document, 503 naming the dependency that is down', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    const readiness = () => checkReadiness([{ name: 'store', kind: store.kind, ping: () => store.ping() }]);
    const server = await startMetricsServer(new Metrics(), 0, '127.0.0.1', silentLogger, readiness);
    try {
      const url = `http://127.0.0.1:${server.port}`;
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const ready = await fetch(`${url}/health/ready`);
      expect({ status: ready.status, body: await ready.json() }).toEqual({
        status: 200,
        body: { status: 'ready', store: { kind: 'sqlite', status: 'up' } },
      });
      await store.close();
      const down = await fetch(`${url}/health/ready`);
      expect({ status: down.status, retryAfter: down.headers.get('retry-after') }).toEqual({
        status: 503,
        retryAfter: '5',
      });
      expect(await down.json()).toMatchObject({
        error_code: 'NOT_READY',
        details: { status: 'unavailable', store: { kind: 'sqlite', status: 'down' } },
      });
    } finally {
      await server.close();
      await store.close();
    }
  });
});
