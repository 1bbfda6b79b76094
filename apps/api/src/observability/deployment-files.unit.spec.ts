import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Metrics } from '#platform';

interface Service {
  readonly image?: string;
  readonly command?: string[];
  readonly restart?: string;
  readonly environment?: Record<string, string>;
  readonly healthcheck?: { readonly test?: string[] };
  readonly depends_on?: Record<string, { readonly condition?: string }> | string[];
  readonly deploy?: { readonly replicas?: number };
}
interface Target {
  readonly expr: string;
  readonly datasource?: { readonly uid?: string };
}
interface Panel {
  readonly title: string;
  readonly datasource?: { readonly uid?: string };
  readonly targets: Target[];
}
interface Dashboard {
  readonly templating: {
    readonly list: Array<{ readonly name: string; readonly type: string; readonly query: string }>;
  };
  readonly panels: Panel[];
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const prometheus = parse(readFileSync('docker/prometheus/prometheus.yml', 'utf8')) as {
  scrape_configs: Array<{ job_name: string; dns_sd_configs: Array<{ names: string[]; port: number }> }>;
};
const dashboard = JSON.parse(readFileSync('docker/grafana/dashboards/streaming.json', 'utf8')) as Dashboard;
const services = Object.entries(compose.services);
const runs = (service: Service, app: 'api' | 'workers') => service.command?.join(' ').includes(`apps/${app}/`) ?? false;
const workers = services.filter(([, s]) => runs(s, 'workers'));
const api = services.filter(([, s]) => runs(s, 'api'));

/** Every route that answers a stream (SSE or a replay), as the endpoint label names it. */
const STREAM_ROUTES = [
  '/api/v1/investigations/stream/:id',
  '/api/v1/investigations/:id/replay',
  '/api/v1/events/stream',
  '/api/v1/chat/stream',
  '/api/v1/chat/sessions/:id/stream',
  '/api/v1/chat/direct/maritaca/stream',
];
const REQUEST_ROUTES = [
  '/api/v1/investigations',
  '/api/v1/investigations/:id',
  '/api/v1/investigations/:id/events',
  '/api/v1/chat/message',
  '/api/v1/chat/sessions/:id',
  '/health/ready',
];

/** The metric names a PromQL expression reads: what is left once strings, matchers, ranges, groupings and calls are gone. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without)\s*\([^)]*\)/g, ' ');
  return [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1] ?? '');
}

/** The endpoint label regex of an expression, anchored as Prometheus anchors it. */
function endpointMatcher(expr: string, op: '=~' | '!~'): RegExp | null {
  const found = new RegExp(`endpoint${op}"((?:[^"\\\\]|\\\\.)*)"`).exec(expr);
  return found?.[1] === undefined ? null : new RegExp(`^(?:${found[1]})$`);
}

describe('docker-compose.yml', () => {
  it('restarts every service that stops', () => {
    for (const [name, service] of services)
      expect({ name, restart: service.restart }).toEqual({ name, restart: 'unless-stopped' });
  });

  it('checks the health of the api and of every worker, on their readiness routes', () => {
    expect(api.length).toBe(1);
    expect(workers.length).toBeGreaterThanOrEqual(2);
    for (const [name, service] of [...api, ...workers])
      expect({ name, test: service.healthcheck?.test?.join(' ') }).toEqual({
        name,
        test: expect.stringMatching(/\/health\/ready$/),
      });
  });

  it('starts the api and the workers once PostgreSQL, NATS and KurrentDB are healthy', () => {
    for (const [name, service] of [...api, ...workers]) {
      const deps = service.depends_on as Record<string, { condition?: string }>;
      for (const dependency of ['postgres', 'nats', 'kurrentdb'])
        expect({ name, dependency, condition: deps[dependency]?.condition }).toEqual({
          name,
          dependency,
          condition: 'service_healthy',
        });
    }
  });

  it('turns the event relay on for exactly one worker', () => {
    const relays = workers.filter(([, s]) => s.environment?.EVENT_RELAY === 'true');
    expect(relays.map(([name]) => name)).toEqual(['worker-relay']);
    expect(relays[0]?.[1].deploy?.replicas ?? 1).toBe(1);
    expect(api[0]?.[1].environment?.EVENT_RELAY).toBe('false');
  });

  it('runs current Prometheus (3.x) and Grafana (12.x) images', () => {
    const major = (image: string | undefined) => Number(/:v?(\d+)\./.exec(image ?? '')?.[1]);
    expect(major(compose.services.prometheus?.image)).toBeGreaterThanOrEqual(3);
    expect(major(compose.services.grafana?.image)).toBeGreaterThanOrEqual(12);
  });

  it('has Prometheus scrape every worker service on its METRICS_PORT', () => {
    const job = prometheus.scrape_configs.find((c) => c.job_name === 'workers');
    const scraped = job?.dns_sd_configs.flatMap((c) => c.names) ?? [];
    expect([...scraped].sort()).toEqual(workers.map(([name]) => name).sort());
    for (const [, service] of workers)
      expect(String(job?.dns_sd_configs[0]?.port)).toBe(service.environment?.METRICS_PORT);
  });
});

describe('the Grafana dashboard', () => {
  const targets = dashboard.panels.flatMap((panel) => panel.targets.map((target) => ({ panel, target })));

  it('takes its data source from a variable, so it imports into any Grafana', () => {
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    for (const { panel, target } of targets) {
      expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({ panel: panel.title, uid: '${datasource}' });
      expect({ panel: panel.title, uid: target.datasource?.uid }).toEqual({ panel: panel.title, uid: '${datasource}' });
    }
  });

  it('reads only metrics the application registers', async () => {
    const registry = new Metrics({ defaultMetrics: true }).registry;
    const known = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    const read = new Set(targets.flatMap(({ target }) => metricNames(target.expr)));
    expect(read.size).toBeGreaterThan(5);
    for (const name of read)
      expect({ name, known: known.has(name.replace(/_(bucket|count|sum)$/, '')) }).toEqual({ name, known: true });
  });

  const verdicts = (regex: RegExp | null, routes: string[]) =>
    routes.map((route) => ({ route, matched: regex?.test(route) ?? false }));
  const every = (routes: string[], matched: boolean) => routes.map((route) => ({ route, matched }));

  it.each([
    { op: '!~' as const, panels: 'request latency panels leave out' },
    { op: '=~' as const, panels: 'stream duration panels time' },
  ])('$panels every stream route, and only those ($op)', ({ op }) => {
    const matchers = targets.map(({ target }) => endpointMatcher(target.expr, op)).filter((m) => m !== null);
    expect(matchers.length).toBeGreaterThan(0);
    for (const matcher of matchers) {
      expect(verdicts(matcher, STREAM_ROUTES)).toEqual(every(STREAM_ROUTES, true));
      expect(verdicts(matcher, REQUEST_ROUTES)).toEqual(every(REQUEST_ROUTES, false));
    }
  });
});

describe('http_request_duration_seconds', () => {
  it('has buckets up to STREAM_MAX_DURATION, so long streams are told apart', async () => {
    const metrics = new Metrics({ streamMaxSeconds: 7200 });
    const labels = { method: 'GET', endpoint: '/api/v1/events/stream', status: '200' };
    metrics.httpRequestDuration.observe(labels, 3000);
    metrics.httpRequestDuration.observe(labels, 7100);
    const [histogram] = await metrics.registry
      .getMetricsAsJSON()
      .then((all) => all.filter((m) => m.name === 'http_request_duration_seconds'));
    const bucket = (le: number) => histogram?.values.find((v) => v.labels.le === le)?.value;
    expect([bucket(300), bucket(3600), bucket(7200)]).toEqual([0, 1, 2]);
  });
});
