import { afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readChatEvent, toChatWireEvent } from '#chat';
import { entityIdOf, type EventStore } from '#eventsourcing';
import { readInvestigationEvent, toInvestigationWireEvent } from '#investigations';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store.js';
import { silentLogger } from '../logging/logger.js';
import { Metrics } from '../metrics/metrics.js';
import { SqliteReadModelStore } from '../read-models/sqlite-read-model-store.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { deviceFeed } from './device-feed.js';
import { MqttBridge } from './mqtt-bridge.js';
import { MqttLink } from './mqtt-link.js';
import {
  chatExchange,
  clearRetained,
  dedupeById,
  investigationEnd,
  investigationOpening,
  investigationPage,
  MosquittoSub,
  MQTT_TEST_URL,
  MqttRecorder,
  PrivateBroker,
  uniquePrefix,
  type Received,
} from './mqtt.testing.js';

const teardown: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of teardown.splice(0).reverse()) await step();
});

function deployment() {
  const store = new SqliteEventStore({ filename: ':memory:' });
  const readModels = new SqliteReadModelStore(':memory:');
  teardown.push(
    () => store.close(),
    () => readModels.close(),
  );
  return { store, readModels };
}

function bridgeOf(deps: ReturnType<typeof deployment>, prefix: string, url = MQTT_TEST_URL, metrics?: Metrics) {
  const link = new MqttLink({
    url,
    clientId: `bridge-${randomUUID().slice(0, 8)}`,
    logger: silentLogger,
    backoff: () => 50,
  });
  const bridge = new MqttBridge({
    ...deps,
    link,
    feed: deviceFeed(prefix),
    logger: silentLogger,
    batchSize: 4,
    retryDelay: () => 50,
    ...(metrics ? { metrics } : {}),
  });
  teardown.push(() => bridge.stop());
  return bridge;
}

async function recorder(url: string, filter: string, session?: string): Promise<MqttRecorder> {
  const opened = await MqttRecorder.open(url, filter, session);
  teardown.push(() => opened.close());
  return opened;
}

/** What the SSE streams carry for every stored investigation and chat event, as topic, id and JSON. */
async function wireEventsOf(store: EventStore, prefix: string) {
  const expected: { topic: string; id: string; payload: unknown }[] = [];
  for (const event of await store.readAll()) {
    const investigation = readInvestigationEvent(event);
    const chat = investigation ? null : readChatEvent(event);
    const data = investigation ? toInvestigationWireEvent(investigation) : chat ? toChatWireEvent(chat) : null;
    if (data === null) continue;
    const area = investigation ? 'investigations' : 'chat';
    const topic = `${prefix}/${area}/${entityIdOf(event.streamId)}/${data.type}`;
    expected.push({ topic, id: String(event.revision), payload: JSON.parse(JSON.stringify(data)) });
  }
  return expected;
}

const asWire = (messages: readonly Received[]) =>
  messages.map((m) => ({ topic: m.topic, id: m.userProperties['event-id'], payload: m.payload }));

async function published(bridge: MqttBridge, store: EventStore): Promise<void> {
  const head = await store.headPosition();
  await waitUntil(async () => ((await bridge.checkpoint()) === head ? true : undefined), 'the bridge to catch up');
}

describe('MQTT bridge on Mosquitto', () => {
  it('publishes investigation and chat events as the SSE wire events, in order, with ids, types and a retained state', async () => {
    const deps = deployment();
    const prefix = uniquePrefix('bridge');
    const metrics = new Metrics();
    const viaPackage = await recorder(MQTT_TEST_URL, `${prefix}/#`);
    const viaDebian = await MosquittoSub.start(MQTT_TEST_URL, prefix);
    teardown.push(() => viaDebian.stop());
    const bridge = bridgeOf(deps, prefix, MQTT_TEST_URL, metrics);
    const id = randomUUID();
    const session = randomUUID();
    teardown.push(() => clearRetained(MQTT_TEST_URL, [`${prefix}/investigations/${id}/state`]));
    await deps.store.appendToStream(`investigation-${id}`, investigationOpening(id, 3), 'no_stream');
    bridge.start();
    await deps.store.appendToStream(`chat-${session}`, chatExchange(session), 'no_stream');
    await deps.store.appendToStream(`investigation-${id}`, investigationEnd(300, 3), 8);
    await published(bridge, deps.store);

    const expected = await wireEventsOf(deps.store, prefix);
    expect(expected).toHaveLength(14);
    await waitUntil(() => (viaPackage.events().length >= 14 ? true : undefined), 'the mqtt package to get every event');
    await waitUntil(
      () => (viaDebian.received().filter((m) => !m.topic.endsWith('/state')).length >= 14 ? true : undefined),
      'mosquitto_sub to get them',
    );
    expect(asWire(viaPackage.events())).toEqual(expected);
    const debianEvents = viaDebian.received().filter((m) => !m.topic.endsWith('/state'));
    expect(asWire(debianEvents)).toEqual(expected);
    for (const message of [...viaPackage.events(), ...debianEvents])
      expect(message.userProperties['event-type']).toBe(message.payload.type);

    // A subscriber that comes later finds the investigation's state, as of its last event.
    const late = await recorder(MQTT_TEST_URL, `${prefix}/investigations/+/state`);
    const [state] = await waitUntil(() => (late.received.length > 0 ? late.received : undefined), 'the retained state');
    expect(state).toMatchObject({
      topic: `${prefix}/investigations/${id}/state`,
      retain: true,
      userProperties: { 'event-id': '9', 'event-type': 'state' },
      payload: {
        type: 'state',
        investigation_id: id,
        status: 'completed',
        current_phase: 'analyzing_contracts',
        progress: 100,
        records_processed: 300,
        anomalies_detected: 3,
        anomalies_by_severity: { low: 1, medium: 0, high: 2, critical: 0 },
        last_event_id: 9,
      },
    });
    const counted = await metrics.registry.getSingleMetricAsString('mqtt_published_total');
    expect(counted).toContain('mqtt_published_total{kind="event"} 14');
  });

  it('resumes after a restart from its checkpoint: every event once, none lost', async () => {
    const deps = deployment();
    const prefix = uniquePrefix('restart');
    const subscriber = await recorder(MQTT_TEST_URL, `${prefix}/#`);
    const id = randomUUID();
    teardown.push(() => clearRetained(MQTT_TEST_URL, [`${prefix}/investigations/${id}/state`]));
    const stream = `investigation-${id}`;
    await deps.store.appendToStream(stream, investigationOpening(id, 2), 'no_stream');
    const first = bridgeOf(deps, prefix);
    first.start();
    await published(first, deps.store);
    await first.stop();
    await deps.store.appendToStream(stream, [...investigationPage(3, 4), ...investigationPage(4, 4)], 6);
    await deps.store.appendToStream(stream, investigationEnd(400, 4), 10);
    const second = bridgeOf(deps, prefix);
    second.start();
    await published(second, deps.store);

    const expected = await wireEventsOf(deps.store, prefix);
    await waitUntil(() => (subscriber.events().length >= expected.length ? true : undefined), 'every event');
    expect(asWire(subscriber.events())).toEqual(expected);
  });

  it('waits out a broker that is down and publishes everything once it is back', async () => {
    const broker = await PrivateBroker.create();
    teardown.push(() => broker.dispose());
    await broker.start();
    const deps = deployment();
    const prefix = uniquePrefix('outage');
    // A device's subscription: a persistent session, so the broker keeps what comes while it is away.
    const subscriber = await recorder(broker.url, `${prefix}/#`, `device-${randomUUID().slice(0, 8)}`);
    const bridge = bridgeOf(deps, prefix, broker.url);
    bridge.start();
    const id = randomUUID();
    const stream = `investigation-${id}`;
    await deps.store.appendToStream(stream, investigationOpening(id, 1), 'no_stream');
    await published(bridge, deps.store);
    await expect(bridge.ping()).resolves.toBeUndefined();

    await broker.stop();
    await waitUntil(() => (bridge.connected ? undefined : true), 'the bridge to see the broker gone');
    await expect(bridge.ping()).rejects.toThrow(/not connected/);
    await deps.store.appendToStream(stream, [...investigationPage(2, 3), ...investigationPage(3, 3)], 4);
    await deps.store.appendToStream(stream, investigationEnd(300, 3), 8);
    expect((await bridge.lags()).get(bridge.name)).toBe(5);
    await broker.start();
    await published(bridge, deps.store);

    const expected = await wireEventsOf(deps.store, prefix);
    await waitUntil(
      () => (dedupeById(subscriber.events()).length >= expected.length ? true : undefined),
      'every event',
    );
    expect(asWire(dedupeById(subscriber.events()))).toEqual(expected);
    expect((await bridge.lags()).get(bridge.name)).toBe(0);
  }, 30_000);
});
