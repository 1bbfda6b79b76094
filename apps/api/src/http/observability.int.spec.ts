import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { investigationStreamId } from '#investigations';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';
import { openSse } from '../../../../test/support/sse-client.js';
import { waitUntil } from '../../../../test/support/wait-until.js';

let app: EmbeddedApp;
beforeAll(async () => {
  app = await startEmbeddedApp();
});
afterAll(async () => {
  await app?.stop();
});

const STREAM_ROUTE = '/api/v1/investigations/stream/:id';

async function start(headers: Record<string, string> = {}): Promise<{ id: string; res: Response }> {
  const res = await fetch(`${app.url}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ query: 'Contratos de saúde acima de R$ 1 milhão', data_source: 'synthetic' }),
  });
  expect(res.status).toBe(202);
  return { id: ((await res.json()) as { investigation_id: string }).investigation_id, res };
}

async function watchToTheEnd(id: string): Promise<number> {
  const sse = await openSse(`${app.url}/api/v1/investigations/stream/${id}`);
  const frames = await sse.done;
  expect(frames.at(-1)?.data.type).toBe('complete');
  return frames.length;
}

type Sampled =
  'httpRequestDuration' | 'sseEventsSent' | 'sseStreamsActive' | 'commandDuration' | 'eventsAppended' | 'projectionLag';

/** The value of one series (of a histogram: the one named `name`), 0 while it does not exist. */
async function sample(metric: Sampled, labels: Record<string, string>, name?: string): Promise<number> {
  const { values } = await app.runtime.metrics[metric].get();
  const match = values.find(
    (v) =>
      (name === undefined || ('metricName' in v && v.metricName === name)) &&
      Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l),
  );
  return match?.value ?? 0;
}

const streamRequests = () =>
  sample(
    'httpRequestDuration',
    { method: 'GET', endpoint: STREAM_ROUTE, status: '200' },
    'http_request_duration_seconds_count',
  );

describe('metrics', () => {
  it('times a stream under its route pattern until it ends, and counts the SSE events sent', async () => {
    const streamsBefore = await streamRequests();
    const eventsBefore = await sample('sseEventsSent', { endpoint: '/investigations/stream' });
    const { id } = await start();
    const sent = await watchToTheEnd(id);
    await waitUntil(
      async () => ((await streamRequests()) === streamsBefore + 1 ? true : undefined),
      'the stream request to be observed',
    );
    expect(await sample('sseEventsSent', { endpoint: '/investigations/stream' })).toBe(eventsBefore + sent);
    expect(await sample('sseStreamsActive', { endpoint: '/investigations/stream' })).toBe(0);

    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toContain(
      `http_request_duration_seconds_count{method="POST",endpoint="/api/v1/investigations",status="202"}`,
    );
    expect(text).toContain(`http_request_duration_seconds_count{method="GET",endpoint="${STREAM_ROUTE}",status="200"}`);
    // Raw ids as label values would make one series per investigation.
    expect(text).not.toContain(id);
  });

  it('labels requests that matched no route as unmatched', async () => {
    const before = await sample(
      'httpRequestDuration',
      { endpoint: 'unmatched', status: '404' },
      'http_request_duration_seconds_count',
    );
    expect((await fetch(`${app.url}/no/such/${randomUUID()}`)).status).toBe(404);
    await waitUntil(
      async () =>
        (await sample(
          'httpRequestDuration',
          { endpoint: 'unmatched', status: '404' },
          'http_request_duration_seconds_count',
        )) ===
        before + 1
          ? true
          : undefined,
      'the 404 to be observed',
    );
  });

  it('exposes the seed names and the command, event and lag figures on /metrics and /health/metrics', async () => {
    const { id } = await start();
    await watchToTheEnd(id);
    await waitUntil(
      async () =>
        (await sample(
          'commandDuration',
          { command: 'RunInvestigation', outcome: 'ok' },
          'command_processing_duration_seconds_count',
        )) > 0
          ? true
          : undefined,
      'a run to be timed',
    );
    expect(
      await sample('eventsAppended', { category: 'investigation', type: 'InvestigationCompleted' }),
    ).toBeGreaterThan(0);
    expect(
      await sample(
        'commandDuration',
        { command: 'StartInvestigation', outcome: 'ok' },
        'command_processing_duration_seconds_count',
      ),
    ).toBeGreaterThan(0);
    expect(await app.runtime.store.headPosition()).toBeGreaterThan(0);
    // The feed has seen everything the store holds once appends stop.
    await waitUntil(
      async () => ((await sample('projectionLag', {})) === 0 ? true : undefined),
      'the projection lag to reach 0',
    );

    for (const path of ['/metrics', '/health/metrics']) {
      const res = await fetch(`${app.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      for (const name of [
        'http_request_duration_seconds',
        'websocket_connections_active',
        'sse_events_sent_total',
        'streaming_errors_total',
      ]) {
        expect(text).toContain(`# TYPE ${name} `);
      }
      expect(text).toMatch(/^projection_lag_events 0$/m);
      expect(text).toMatch(/^events_appended_total\{category="investigation",type="InvestigationStarted"\} \d+$/m);
      expect(text).toContain('# TYPE command_processing_duration_seconds histogram');
      expect(text).toContain('# TYPE jetstream_consumer_pending gauge');
    }
  });
});

describe('request and correlation ids', () => {
  it('echoes the ids and records the correlation id in every event the request caused', async () => {
    const correlationId = `corr-${randomUUID()}`;
    const { id, res } = await start({ 'X-Correlation-ID': correlationId, 'X-Request-ID': 'req-42' });
    expect(res.headers.get('x-correlation-id')).toBe(correlationId);
    expect(res.headers.get('x-request-id')).toBe('req-42');
    await watchToTheEnd(id);
    const events = await app.runtime.store.readStream(investigationStreamId(id));
    expect(events.length).toBeGreaterThan(5);
    expect(new Set(events.map((e) => e.metadata.correlationId))).toEqual(new Set([correlationId]));
  });

  it('generates a request id when none is sent, or an unsafe one is, and correlates by it', async () => {
    for (const headers of [{}, { 'X-Request-ID': 'not a safe id' }] as Array<Record<string, string>>) {
      const { id, res } = await start(headers);
      const requestId = res.headers.get('x-request-id') ?? '';
      expect(requestId).toMatch(/^[A-Za-z0-9_.:-]{8,128}$/);
      expect(res.headers.get('x-correlation-id')).toBe(requestId);
      await watchToTheEnd(id);
      const events = await app.runtime.store.readStream(investigationStreamId(id));
      expect(events.every((e) => e.metadata.correlationId === requestId)).toBe(true);
    }
  });

  it('answers errors with the ids too', async () => {
    const res = await fetch(`${app.url}/api/v1/investigations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-ID': 'req-bad' },
      body: '{"query": ',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-request-id')).toBe('req-bad');
    expect(res.headers.get('x-correlation-id')).toBe('req-bad');
  });
});
