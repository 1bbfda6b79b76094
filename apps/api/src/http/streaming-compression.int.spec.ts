import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { investigationStreamId } from '#investigations';
import type { EventStore, NewEvent } from '#eventsourcing';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';
import { openRawSse } from '../../../../test/support/raw-sse-client.js';

const metadata = () => ({
  eventId: randomUUID(),
  commandId: 'cmd-test',
  correlationId: 'corr-test',
  userId: 'anonymous',
  occurredAt: new Date().toISOString(),
});

function progress(page: number): NewEvent {
  const at = new Date().toISOString();
  return {
    type: 'ProgressReported',
    data: {
      page,
      progress: page,
      currentPhase: 'analyzing_contracts',
      recordsProcessed: page * 100,
      anomaliesDetected: 0,
      totalEstimate: null,
      lastPage: false,
      at,
    },
    metadata: metadata(),
  };
}

/**
 * An investigation written straight into the store, so the test decides when each event exists
 * (the apps run without workers: the investigation run's workflow would answer its start).
 */
async function beginInvestigation(store: EventStore): Promise<string> {
  const id = randomUUID();
  const started: NewEvent = {
    type: 'InvestigationStarted',
    data: {
      investigationId: id,
      query: 'contratos de saúde',
      dataSource: 'synthetic',
      filters: {},
      anomalyTypes: [],
      startedAt: new Date().toISOString(),
    },
    metadata: metadata(),
  };
  await store.appendToStream(investigationStreamId(id), [started], 'no_stream');
  return id;
}

const complete = (): NewEvent => ({
  type: 'InvestigationCompleted',
  data: { totalAnomalies: 0, recordsProcessed: 500, executionSeconds: 1.5, completedAt: new Date().toISOString() },
  metadata: metadata(),
});

describe('streaming compression on the investigation stream', () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    app = await startEmbeddedApp({}, { workers: false });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('delivers every event through gzip before the next one exists', async () => {
    const { store } = app.runtime;
    const id = await beginInvestigation(store);
    const sse = await openRawSse(`${app.url}/api/v1/investigations/stream/${id}`, { 'Accept-Encoding': 'gzip' });
    expect(sse.status).toBe(200);
    expect(sse.headers['content-encoding']).toBe('gzip');
    expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(await sse.next()).toMatchObject({ id: '1', data: { type: 'progress', progress: 0 } });
    for (let page = 1; page <= 4; page++) {
      const { nextRevision } = await store.appendToStream(investigationStreamId(id), [progress(page)], page);
      expect(await sse.next()).toMatchObject({
        id: String(nextRevision),
        data: { type: 'progress', records_processed: page * 100 },
      });
    }
    await store.appendToStream(investigationStreamId(id), [complete()], 5);
    expect(await sse.next()).toMatchObject({ id: '6', data: { type: 'complete', total_anomalies: 0 } });
    expect((await sse.done).map((f) => f.id)).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('sends plain SSE to a client that does not accept gzip, and leaves small JSON alone', async () => {
    const id = await beginInvestigation(app.runtime.store);
    await app.runtime.store.appendToStream(investigationStreamId(id), [complete()], 1);
    const sse = await openRawSse(`${app.url}/api/v1/investigations/stream/${id}`);
    expect(sse.headers['content-encoding']).toBeUndefined();
    expect((await sse.done).map((f) => f.data.type)).toEqual(['progress', 'complete']);
    expect(sse.wireBytes()).toBe(sse.decodedBytes());

    const health = await fetch(`${app.url}/health`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(health.headers.get('content-encoding')).toBeNull();
    const summary = await fetch(`${app.url}/api/v1/investigations/${id}`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(summary.headers.get('content-encoding')).toBe('gzip');
    expect(await summary.json()).toMatchObject({ investigation_id: id, status: 'completed' });
  });
});

describe('with STREAMING_COMPRESSION=false', () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    app = await startEmbeddedApp({ STREAMING_COMPRESSION: 'false' }, { workers: false });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('never compresses, whatever the client accepts', async () => {
    const id = await beginInvestigation(app.runtime.store);
    await app.runtime.store.appendToStream(investigationStreamId(id), [complete()], 1);
    const sse = await openRawSse(`${app.url}/api/v1/investigations/stream/${id}`, { 'Accept-Encoding': 'gzip' });
    expect(sse.headers['content-encoding']).toBeUndefined();
    expect((await sse.done).map((f) => f.data.type)).toEqual(['progress', 'complete']);
    const summary = await fetch(`${app.url}/api/v1/investigations/${id}`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(summary.headers.get('content-encoding')).toBeNull();
  });
});
