import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { openSse } from './support/sse-client.js';
import { waitUntil } from './support/wait-until.js';

interface Overview {
  readonly metrics: { readonly prometheus: string; readonly names: string[] };
  readonly dashboard: { readonly grafana_url: string | null; readonly definition: string; readonly uid: string };
  readonly live: {
    readonly sse_streams_active: number;
    readonly websocket_connections_active: Record<string, number>;
    readonly event_store: { readonly kind: string; readonly head_position: number };
  };
}

describe("GET /api/v1/observability (the seed's dashboard pointer)", () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    // Slow investigations, so the stream the test opens is still open when it looks.
    app = await startEmbeddedApp({ GRAFANA_URL: 'http://grafana.example:3000/', INVESTIGATION_STEP_DELAY_MS: '2000' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('lists the metrics, the dashboard and live figures of this process', async () => {
    const res = await fetch(`${app.url}/api/v1/investigations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'Contratos de saúde' }),
    });
    const { investigation_id: id } = (await res.json()) as { investigation_id: string };
    const stream = await openSse(`${app.url}/api/v1/investigations/stream/${id}`);
    await stream.waitFor(1);
    const overview = await waitUntil(async () => {
      const body = (await (await fetch(`${app.url}/api/v1/observability`)).json()) as Overview;
      return body.live.sse_streams_active >= 1 ? body : undefined;
    }, 'the open stream to be counted');
    expect(overview.metrics.names.slice(0, 4)).toEqual([
      'http_request_duration_seconds',
      'websocket_connections_active',
      'sse_events_sent_total',
      'streaming_errors_total',
    ]);
    const exposed = await (await fetch(`${app.url}${overview.metrics.prometheus}`)).text();
    for (const name of overview.metrics.names) expect(exposed).toContain(`# HELP ${name} `);
    expect(overview.dashboard).toEqual({
      grafana_url: 'http://grafana.example:3000/d/cidadao-streaming',
      definition: '/api/v1/observability/dashboard',
      uid: 'cidadao-streaming',
    });
    expect(overview.live.event_store.kind).toBe('sqlite');
    expect(overview.live.event_store.head_position).toBeGreaterThan(0);
    expect(overview.live.event_store.head_position).toBeLessThanOrEqual(await app.runtime.store.headPosition());
    expect(overview.live.websocket_connections_active).toMatchObject({ general: 0, chat: 0 });
    stream.close();
  });

  it('sends a browser to the Grafana dashboard', async () => {
    const res = await fetch(`${app.url}/api/v1/observability`, {
      headers: { Accept: 'text/html,application/xhtml+xml' },
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://grafana.example:3000/d/cidadao-streaming');
  });

  it('serves the provisioned dashboard definition unchanged', async () => {
    const res = await fetch(`${app.url}/api/v1/observability/dashboard`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(readFileSync('docker/grafana/dashboards/streaming.json', 'utf8')));
  });
});
