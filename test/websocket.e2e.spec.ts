import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  connectWs,
  wsUrl,
  type WsMessage,
  type WsTestClient,
} from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { openSse, type SseFrame } from './support/sse-client.js';
import { startInvestigationAt } from './support/start-investigation.js';

let app: EmbeddedApp;
beforeAll(async () => {
  // A fixed key of derived ids, so the Idempotency-Key below always names the same investigation.
  app = await startEmbeddedApp({
    SYNTHETIC_CONTRACTS: '600',
    INVESTIGATION_PAGE_SIZE: '50',
    ID_SECRET: 'websocket-e2e-id-secret-000000000000000',
  });
});
afterAll(async () => {
  await app?.stop();
});

/** A fixed Idempotency-Key (under the fixed ID_SECRET) fixes the id, which seeds the synthetic contracts: this one has anomalies. */
const startInvestigation = (idempotencyKey?: string): Promise<string> =>
  startInvestigationAt(app.url, {
    query: 'Análise geral de contratos',
    ...(idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {}),
  });

async function sseOf(id: string, lastEventId = 0, base = app.url): Promise<SseFrame[]> {
  const sse = await openSse(`${base}/api/v1/investigations/stream/${id}?last_event_id=${lastEventId}`);
  return sse.done;
}

/** The WebSocket message as the SSE frame it mirrors: same id, same data. */
const asSse = (m: WsMessage): SseFrame => {
  const { id, anomaly: _anomaly, stream: _stream, ...data } = m;
  return { id: String(id), data };
};
const events = (client: WsTestClient): WsMessage[] => client.messages.filter((m) => typeof m.id === 'number');

describe('/api/v1/ws/investigations/{id}', () => {
  it("delivers the SSE stream's events with their ids, the seed client's fields, and closes after complete", async () => {
    const id = await startInvestigation('ws-e2e-with-anomalies');
    const client = await connectWs(wsUrl(app.url, `/api/v1/ws/investigations/${id}`));
    const closed = await client.closed;
    expect(closed).toEqual({ code: 1000, reason: 'investigation finished' });
    const received = events(client);
    expect(received.map(asSse)).toEqual(await sseOf(id));
    expect(received.at(-1)?.type).toBe('complete');
    const progress = received.filter((m) => m.type === 'progress');
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.every((m) => typeof m.progress === 'number')).toBe(true);
    const anomalies = received.filter((m) => m.type === 'anomaly');
    expect(anomalies.length).toBeGreaterThan(0);
    for (const m of anomalies) {
      expect(m.anomaly).toEqual({
        anomaly_id: m.anomaly_id,
        anomaly_type: m.anomaly_type,
        severity: m.severity,
        contract_id: m.contract_id,
        details: m.details,
      });
    }
  });

  it('resumes after ?last_event_id=', async () => {
    const id = await startInvestigation();
    const all = await sseOf(id);
    const middle = Number(all[Math.floor(all.length / 2)]?.id);
    const late = await connectWs(wsUrl(app.url, `/api/v1/ws/investigations/${id}?last_event_id=${middle}`));
    expect((await late.closed).code).toBe(1000);
    expect(events(late).map(asSse)).toEqual(all.filter((f) => Number(f.id) > middle));
    const past = await connectWs(wsUrl(app.url, `/api/v1/ws/investigations/${id}?last_event_id=${all.at(-1)?.id}`));
    expect(await past.closed).toEqual({ code: 1000, reason: 'investigation finished' });
    expect(past.messages).toEqual([]);
  });

  it('closes with 4404 for an investigation that does not exist', async () => {
    const client = await connectWs(wsUrl(app.url, '/api/v1/ws/investigations/does-not-exist'));
    expect((await client.closed).code).toBe(4404);
    expect(client.messages).toEqual([
      expect.objectContaining({ type: 'error', error_code: 'INVESTIGATION_NOT_FOUND' }),
    ]);
  });
});

describe('/api/v1/ws/investigations/{id} commands, on a live investigation', () => {
  let slow: EmbeddedApp;
  beforeAll(async () => {
    slow = await startEmbeddedApp({
      SYNTHETIC_CONTRACTS: '20000',
      INVESTIGATION_PAGE_SIZE: '20',
      INVESTIGATION_STEP_DELAY_MS: '20',
    });
  });
  afterAll(async () => {
    await slow?.stop();
  });
  const startSlow = async (): Promise<string> => {
    const res = await fetch(`${slow.url}/api/v1/investigations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'contratos', data_source: 'synthetic' }),
    });
    return ((await res.json()) as { investigation_id: string }).investigation_id;
  };

  it('restarts after the id a resume command names, once the ack is sent', async () => {
    const id = await startSlow();
    const client = await connectWs(wsUrl(slow.url, `/api/v1/ws/investigations/${id}`));
    await client.waitFor((m) => m.id === 6, 'six events');
    client.send({ type: 'resume', last_event_id: 2, request_id: 'r1' });
    const ack = await client.waitFor((m) => m.type === 'ack', 'the ack');
    expect(ack).toEqual({ type: 'ack', command: 'resume', investigation_id: id, last_event_id: 2, request_id: 'r1' });
    const from = client.messages.indexOf(ack) + 1;
    await client.waitFor((m) => m.id === 8, 'events after the ack', from);
    client.send({ type: 'cancel' });
    await client.closed;
    const afterAck = client.messages.slice(from).filter((m) => typeof m.id === 'number');
    expect(afterAck.map(asSse)).toEqual(await sseOf(id, 2, slow.url));
    expect(afterAck.at(-1)?.type).toBe('cancelled');
  });

  it('cancels with an ack, then streams the end; bad frames on the way get error messages', async () => {
    const id = await startSlow();
    const client = await connectWs(wsUrl(slow.url, `/api/v1/ws/investigations/${id}`));
    await client.waitFor(
      (m) => m.type === 'progress' && m.current_phase === 'analyzing_contracts',
      'a page of progress',
    );
    client.send({ type: 'subscribe', stream: `investigation:${id}` });
    client.send({ type: 'cancel', reason: 'x'.repeat(600) });
    client.send({ type: 'cancel', reason: 'enough', request_id: 'c1' });
    expect(await client.waitFor((m) => m.type === 'ack', 'the ack')).toEqual({
      type: 'ack',
      command: 'cancel',
      investigation_id: id,
      request_id: 'c1',
    });
    expect(await client.waitFor((m) => m.type === 'cancelled', 'the cancelled event')).toMatchObject({
      investigation_id: id,
      reason: 'enough',
    });
    expect((await client.closed).code).toBe(1000);
    expect(client.messages.filter((m) => m.type === 'error').map((m) => m.error_code)).toEqual([
      'UNKNOWN_MESSAGE_TYPE',
      'VALIDATION_ERROR',
    ]);
  });
});

describe('/api/v1/ws (general, multiplexed)', () => {
  it('answers bad frames with error messages and keeps the connection', async () => {
    const client = await connectWs(wsUrl(app.url, '/api/v1/ws'));
    client.send('{not json');
    client.send({ type: 'launch_missiles' });
    client.send([1, 2]);
    client.send({ type: 'subscribe', stream: 'investigation:x', last_event_id: -3 });
    client.send({ type: 'ping', request_id: 'x'.repeat(70_000) });
    client.send({ type: 'ping', request_id: 'still-here' });
    await client.waitFor((m) => m.type === 'pong', 'the pong');
    const codes = client.messages.filter((m) => m.type === 'error').map((m) => m.error_code);
    expect(codes).toEqual([
      'INVALID_JSON',
      'UNKNOWN_MESSAGE_TYPE',
      'INVALID_MESSAGE',
      'VALIDATION_ERROR',
      'MESSAGE_TOO_LARGE',
    ]);
    expect(client.messages.at(-1)).toEqual({ type: 'pong', request_id: 'still-here' });
    await client.close();
  });

  it('subscribes to several streams, tags each event with its stream and id, and batches', async () => {
    const [a, b] = [await startInvestigation(), await startInvestigation()];
    const client = await connectWs(wsUrl(app.url, '/api/v1/ws?connection_type=general'));
    await client.waitFor((m) => m.type === 'connected', 'the welcome');
    client.send({ type: 'subscribe', stream: `investigation:${a}`, last_event_id: '0' });
    client.send({ type: 'subscribe', stream: `investigation:${b}` });
    await client.waitFor((m) => m.type === 'unsubscribed' && m.stream === `investigation:${a}`, 'the end of a');
    await client.waitFor((m) => m.type === 'unsubscribed' && m.stream === `investigation:${b}`, 'the end of b');
    for (const id of [a, b]) {
      const mine = client.messages.filter((m) => m.stream === `investigation:${id}` && typeof m.id === 'number');
      expect(mine.map(asSse)).toEqual(await sseOf(id));
    }
    expect(client.frames()).toBeLessThan(client.messages.length);
    client.send({ type: 'ping' });
    await client.waitFor((m) => m.type === 'pong', 'the pong');
    await client.close();
  });

  it('resumes a subscription from last_event_id and stops on unsubscribe', async () => {
    const id = await startInvestigation();
    const all = await sseOf(id);
    const cut = Number(all[3]?.id);
    const client = await connectWs(wsUrl(app.url, '/api/v1/ws'));
    client.send({ type: 'subscribe', stream: `investigation:${id}`, last_event_id: cut, request_id: 's1' });
    expect(await client.waitFor((m) => m.type === 'subscribed', 'the ack')).toEqual({
      type: 'subscribed',
      stream: `investigation:${id}`,
      last_event_id: cut,
      request_id: 's1',
    });
    await client.waitFor((m) => m.type === 'unsubscribed', 'the end');
    expect(client.messages.filter((m) => typeof m.id === 'number').map(asSse)).toEqual(
      all.filter((f) => Number(f.id) > cut),
    );
    client.send({ type: 'unsubscribe', stream: `investigation:${id}` });
    expect(
      await client.waitFor((m) => m.type === 'unsubscribed' && m.reason !== 'ended', 'the unsubscribe'),
    ).toMatchObject({ reason: 'not_subscribed' });
    client.send({ type: 'subscribe', stream: 'investigation:missing-one' });
    expect(await client.waitFor((m) => m.type === 'error', 'the error')).toMatchObject({
      error_code: 'INVESTIGATION_NOT_FOUND',
      stream: 'investigation:missing-one',
    });
    const errors = client.messages.length;
    client.send({ type: 'subscribe', stream: 'contracts:all' });
    expect(await client.waitFor((m) => m.type === 'error', 'the validation error', errors)).toMatchObject({
      error_code: 'VALIDATION_ERROR',
      message: expect.stringContaining('investigation:<id> or chat:<session id>'),
    });
    await client.close();
  });
});
