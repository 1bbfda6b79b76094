import { afterEach, describe, expect, it } from '@jest/globals';
import {
  clearRetained,
  dedupeById,
  MosquittoSub,
  MQTT_TEST_URL,
  MqttRecorder,
  uniquePrefix,
  type Received,
} from '../libs/platform/src/mqtt/mqtt.testing.js';
import { embeddedProcesses, type EmbeddedProcesses } from './support/embedded-process.js';
import { openSse, type SseFrame } from './support/sse-client.js';
import { waitUntil } from './support/wait-until.js';

const teardown: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const step of teardown.splice(0).reverse()) await step();
});

/** An embedded API (npm start) with the bridge on, on a data directory that outlives a kill. */
function embeddedApi(prefix: string): EmbeddedProcesses {
  const api = embeddedProcesses('mqtt-e2e', { MQTT_URL: MQTT_TEST_URL, MQTT_TOPIC_PREFIX: prefix });
  teardown.push(() => api.stop());
  return api;
}

async function startInvestigation(url: string, prefix: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: 'Contratos de saúde em 2024', data_source: 'synthetic' }),
  });
  expect(res.status).toBe(202);
  const { investigation_id: id } = (await res.json()) as { investigation_id: string };
  teardown.push(() => clearRetained(MQTT_TEST_URL, [`${prefix}/investigations/${id}/state`]));
  return id;
}

async function subscribers(prefix: string) {
  const viaPackage = await MqttRecorder.open(MQTT_TEST_URL, `${prefix}/#`);
  const viaDebian = await MosquittoSub.start(MQTT_TEST_URL, prefix);
  teardown.push(
    () => viaPackage.close(),
    () => viaDebian.stop(),
  );
  return { viaPackage, viaDebian };
}

const isEvent = (message: Received): boolean => !message.topic.endsWith('/state');
const completed = (messages: readonly Received[]) =>
  messages.some((m) => m.payload.type === 'complete') ? true : undefined;

/** The MQTT messages as the SSE frames they stand for: id and data. */
const asFrames = (messages: readonly Received[]): SseFrame[] =>
  messages.map((m) => ({ id: String(m.userProperties['event-id']), data: m.payload }));

function expectSameStream(messages: readonly Received[], replay: readonly SseFrame[], prefix: string, id: string) {
  expect(asFrames(messages)).toEqual(replay);
  for (const message of messages) {
    expect(message.topic).toBe(`${prefix}/investigations/${id}/${message.payload.type}`);
    expect(message.userProperties['event-type']).toBe(message.payload.type);
  }
}

describe('MQTT bridge in the built API (MQTT_URL), on Mosquitto', () => {
  it('publishes every event of an investigation once, in order, as the SSE stream has it, and its retained state', async () => {
    const prefix = uniquePrefix('e2e');
    const { viaPackage, viaDebian } = await subscribers(prefix);
    const api = embeddedApi(prefix);
    const url = await api.start();
    const id = await startInvestigation(url, prefix);
    const replay = await (await openSse(`${url}/api/v1/investigations/stream/${id}`)).done;
    expect(replay.at(-1)?.data.type).toBe('complete');

    await waitUntil(() => completed(viaPackage.events()), 'the mqtt package to get the complete event');
    await waitUntil(() => completed(viaDebian.received()), 'mosquitto_sub to get the complete event');
    expectSameStream(viaPackage.events(), replay, prefix, id);
    expectSameStream(viaDebian.received().filter(isEvent), replay, prefix, id);

    await waitUntil(
      () => (viaPackage.received.some((m) => !isEvent(m) && m.payload.status === 'completed') ? true : undefined),
      'the final state to be published',
    );
    const late = await MqttRecorder.open(MQTT_TEST_URL, `${prefix}/investigations/${id}/state`);
    teardown.push(() => late.close());
    const [state] = await waitUntil(() => (late.received.length ? late.received : undefined), 'the retained state');
    const summary = (await (await fetch(`${url}/api/v1/investigations/${id}`)).json()) as Record<string, unknown>;
    expect(state).toMatchObject({
      retain: true,
      userProperties: { 'event-id': replay.at(-1)?.id, 'event-type': 'state' },
      payload: {
        type: 'state',
        investigation_id: id,
        status: 'completed',
        progress: 100,
        records_processed: summary.records_processed,
        last_event_id: Number(replay.at(-1)?.id),
      },
    });
    const ready = (await (await fetch(`${url}/health/ready`)).json()) as Record<string, unknown>;
    expect(ready.mqtt).toEqual({ kind: 'mqtt', status: 'up' });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^mqtt_published_total\{kind="event"\} [1-9]/m);
    expect(metrics).toMatch(new RegExp(`^projection_lag_events\\{projection="mqtt-bridge:${prefix}"\\} 0$`, 'm'));
  }, 120_000);

  it('killed (SIGKILL) mid-investigation and restarted: every event arrives, none twice after dedupe by id', async () => {
    const prefix = uniquePrefix('e2e-kill');
    const { viaPackage, viaDebian } = await subscribers(prefix);
    const api = embeddedApi(prefix);
    const first = await api.start();
    const id = await startInvestigation(first, prefix);
    await waitUntil(() => (viaPackage.events().length >= 5 ? true : undefined), 'a few events before the kill');
    await api.processes[0]?.stop('SIGKILL');
    expect(completed(viaPackage.events())).toBeUndefined();

    const second = await api.start();
    await waitUntil(() => completed(viaPackage.events()), 'the complete event after the restart', 60_000);
    await waitUntil(() => completed(viaDebian.received()), 'mosquitto_sub to get the complete event');
    const replay = await (await openSse(`${second}/api/v1/investigations/stream/${id}`)).done;
    for (const [name, received] of [
      ['mqtt package', viaPackage.events()],
      ['mosquitto_sub', viaDebian.received().filter(isEvent)],
    ] as const) {
      const once = dedupeById(received);
      console.log(`${name}: ${received.length} messages, ${received.length - once.length} raw duplicates`);
      expectSameStream(once, replay, prefix, id);
    }
  }, 120_000);
});
