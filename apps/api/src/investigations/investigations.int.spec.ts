import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { investigationStreamId } from '#investigations';
import { openSse, type SseFrame } from '../../../../test/support/sse-client.js';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';

let app: EmbeddedApp;
beforeAll(async () => {
  app = await startEmbeddedApp();
});
afterAll(async () => {
  await app?.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function startInvestigation(
  body: unknown = { query: 'Contratos de saúde acima de R$ 1 milhão', data_source: 'contracts' },
  headers = {},
) {
  const res = await post('/api/v1/investigations', body, headers);
  expect(res.status).toBe(202);
  return (await res.json()) as { investigation_id: string; status: string; stream_url: string; duplicate: boolean };
}

async function fullStream(id: string, init: RequestInit = {}, query = ''): Promise<SseFrame[]> {
  const sse = await openSse(`${app.url}/api/v1/investigations/stream/${id}${query}`, init);
  expect(sse.status).toBe(200);
  return sse.done;
}

describe('investigations over HTTP (embedded mode)', () => {
  it('accepts an investigation and streams it to completion, then ends', async () => {
    const started = await startInvestigation();
    expect(started).toMatchObject({
      status: 'queued',
      stream_url: `/api/v1/investigations/stream/${started.investigation_id}`,
    });
    const sse = await openSse(`${app.url}${started.stream_url}`);
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(sse.headers.get('cache-control')).toBe('no-cache');
    expect(sse.headers.get('x-accel-buffering')).toBe('no');
    const frames = await sse.done;
    expect(sse.raw().startsWith('retry: ')).toBe(true);
    expect(sse.raw()).not.toMatch(/^event:/m);
    const ids = frames.map((f) => Number(f.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    const types = frames.map((f) => f.data.type);
    expect(types).toContain('progress');
    expect(types).toContain('phase');
    expect(types.at(-1)).toBe('complete');
    expect(frames.at(-1)?.data).toMatchObject({
      total_anomalies: expect.any(Number),
      execution_time: expect.stringMatching(/^\d+\.\ds$/),
    });
    const progress = frames.filter((f) => f.data.type === 'progress').map((f) => f.data);
    const processed = progress.map((p) => Number(p.records_processed));
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ progress: 100, records_processed: expect.any(Number) });
    // The query's own words become filters: saúde → órgão 36000, "acima de R$ 1 milhão" → min_value.
    const summary = (await (
      await fetch(`${app.url}/api/v1/investigations/${started.investigation_id}`)
    ).json()) as Record<string, unknown>;
    expect(summary.filters).toEqual({ orgao: '36000', min_value: 1_000_000 });
    expect(summary.records_processed).toBe(progress.at(-1)?.records_processed);
    expect(progress.every((p) => typeof p.current_phase === 'string' && typeof p.anomalies_detected === 'number')).toBe(
      true,
    );
  });

  it('resumes after Last-Event-ID, or ?last_event_id=, with exactly the later events', async () => {
    const { investigation_id: id } = await startInvestigation();
    const all = await fullStream(id);
    const cut = Number(all[Math.floor(all.length / 2)]?.id);
    const later = all.filter((f) => Number(f.id) > cut);
    expect(await fullStream(id, { headers: { 'Last-Event-ID': String(cut) } })).toEqual(later);
    expect(await fullStream(id, {}, `?last_event_id=${cut}`)).toEqual(later);
  });

  it('answers 204 to a resume from the terminal event on, so EventSource stops reconnecting', async () => {
    const { investigation_id: id } = await startInvestigation();
    const all = await fullStream(id);
    expect(all.at(-1)?.data.type).toBe('complete');
    const end = Number(all.at(-1)?.id);
    for (const resume of [
      { headers: { 'Last-Event-ID': String(end) } },
      { headers: { 'Last-Event-ID': String(end + 5) } },
    ]) {
      const res = await fetch(`${app.url}/api/v1/investigations/stream/${id}`, resume);
      expect(res.status).toBe(204);
      expect(await res.text()).toBe('');
    }
    const byQuery = await fetch(`${app.url}/api/v1/investigations/stream/${id}?last_event_id=${end}`);
    expect(byQuery.status).toBe(204);
    // One before the end still streams the terminal event.
    const last = await fullStream(id, { headers: { 'Last-Event-ID': String(end - 1) } });
    expect(last.map((f) => f.data.type)).toEqual(['complete']);
  });

  it('opens each stream with a retry jittered within ±20 % of SSE_RETRY_MS', async () => {
    const { investigation_id: id } = await startInvestigation();
    const retries = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const sse = await openSse(`${app.url}/api/v1/investigations/stream/${id}`);
      await sse.done;
      retries.add(Number(/^retry: (\d+)\n/.exec(sse.raw())?.[1]));
    }
    for (const retry of retries) expect(retry >= 2400 && retry <= 3600).toBe(true);
    expect(retries.size).toBeGreaterThan(1);
  });

  it('reports the current state from the projection', async () => {
    const { investigation_id: id } = await startInvestigation({
      query: 'Análise geral de contratos',
      filters: { min_value: 1000 },
    });
    await fullStream(id);
    const res = await fetch(`${app.url}/api/v1/investigations/${id}`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      investigation_id: id,
      status: 'completed',
      progress: 100,
      filters: { min_value: 1000 },
    });
    expect(doc.records_processed).toBeGreaterThan(0);
    expect(doc.plan).toMatchObject({ detectors: expect.arrayContaining(['price_deviation']) });
    expect(typeof doc.report).toBe('string');
    expect((doc.anomalies as unknown[]).length).toBe(doc.anomalies_detected);
  });

  it('starts the same investigation once for the same Idempotency-Key', async () => {
    const key = `key-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const body = { query: 'contratos de educação em 2024' };
    const first = await startInvestigation(body, { 'Idempotency-Key': key });
    const second = await startInvestigation(body, { 'Idempotency-Key': key });
    expect(second.investigation_id).toBe(first.investigation_id);
    expect(second.duplicate).toBe(true);
    await fullStream(first.investigation_id);
    const events = await app.runtime.store.readStream(investigationStreamId(first.investigation_id));
    expect(events.filter((e) => e.type === 'InvestigationStarted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'InvestigationCompleted')).toHaveLength(1);
    const reused = await post(
      '/api/v1/investigations',
      { query: 'outra coisa bem diferente' },
      { 'Idempotency-Key': key },
    );
    expect(reused.status).toBe(409);
  });

  it('refuses bad input with 400 and a clear error code, starting nothing', async () => {
    const before = await app.runtime.store.headPosition();
    const cases: Array<[unknown, string]> = [
      ['{"query": ', 'INVALID_JSON'],
      [{}, 'VALIDATION_ERROR'],
      [{ query: 42 }, 'VALIDATION_ERROR'],
      [{ query: 'saúde', surprise: true }, 'VALIDATION_ERROR'],
      [{ query: 'saúde', data_source: 'twitter' }, 'VALIDATION_ERROR'],
      [{ query: 'saúde', filters: { min_value: 10, max_value: 1 } }, 'VALIDATION_ERROR'],
      [{ query: 'saúde', filters: { start_date: '2024-02-30' } }, 'VALIDATION_ERROR'],
      [{ query: 'saúde', anomaly_types: ['made_up'] }, 'VALIDATION_ERROR'],
    ];
    for (const [body, code] of cases) {
      const res = await post('/api/v1/investigations', body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error_code: code, message: expect.any(String) });
    }
    const badKey = await post('/api/v1/investigations', { query: 'saúde' }, { 'Idempotency-Key': 'has spaces' });
    expect(badKey.status).toBe(400);
    const badResume = await fetch(`${app.url}/api/v1/investigations/stream/x?last_event_id=abc`);
    expect(badResume.status).toBe(400);
    expect(await app.runtime.store.headPosition()).toBe(before);
  });

  it('answers 404 for an unknown investigation everywhere', async () => {
    const id = 'does-not-exist';
    expect((await fetch(`${app.url}/api/v1/investigations/${id}`)).status).toBe(404);
    const stream = await fetch(`${app.url}/api/v1/investigations/stream/${id}`);
    expect(stream.status).toBe(404);
    expect(await stream.json()).toMatchObject({ error_code: 'INVESTIGATION_NOT_FOUND' });
    expect((await post(`/api/v1/investigations/${id}/cancel`, {})).status).toBe(404);
  });
});

describe('cancellation', () => {
  let slow: EmbeddedApp;
  beforeAll(async () => {
    slow = await startEmbeddedApp({ INVESTIGATION_STEP_DELAY_MS: '50', SYNTHETIC_CONTRACTS: '5000' });
  });
  afterAll(async () => {
    await slow?.stop();
  });

  it('cancels a running investigation: the stream ends with cancelled, and a second cancel is a 409', async () => {
    const res = await fetch(`${slow.url}/api/v1/investigations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'contratos de saúde' }),
    });
    const { investigation_id: id } = (await res.json()) as { investigation_id: string };
    const sse = await openSse(`${slow.url}/api/v1/investigations/stream/${id}`);
    await sse.waitFor(4);
    const cancel = await fetch(`${slow.url}/api/v1/investigations/${id}/cancel`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'teste' }),
    });
    expect(cancel.status).toBe(202);
    const frames = await sse.done;
    expect(frames.at(-1)?.data).toMatchObject({ type: 'cancelled', reason: 'teste' });
    expect(frames.some((f) => f.data.type === 'complete')).toBe(false);
    const again = await fetch(`${slow.url}/api/v1/investigations/${id}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
  });
});
