/**
 * The MQTT bridge's throughput: a store of investigations published from position 0 to a
 * local broker (QoS 1, a page of 200 events per checkpoint), timed until the checkpoint
 * reaches the head and a subscriber got every event. `npm run bench:mqtt`; MQTT_URL picks the
 * broker (mqtt://127.0.0.1:1883), MQTT_BENCH_INVESTIGATIONS (20) and MQTT_BENCH_PAGES (250)
 * the size.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { investigationStreamId } from '#investigations';
import {
  deviceFeed,
  Metrics,
  MqttBridge,
  MqttLink,
  silentLogger,
  SqliteEventStore,
  SqliteReadModelStore,
} from '#platform';
import { benchInvestigation } from '../support/bench-investigation.js';

const URL = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const INVESTIGATIONS = Number(process.env.MQTT_BENCH_INVESTIGATIONS ?? 20);
const PAGES = Number(process.env.MQTT_BENCH_PAGES ?? 250);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-bench-'));
  const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
  const readModels = new SqliteReadModelStore(join(dir, 'read-models.sqlite'));
  const prefix = `bench/${randomUUID().slice(0, 8)}`;
  const ids = Array.from({ length: INVESTIGATIONS }, () => randomUUID());
  for (const id of ids)
    await store.appendToStream(investigationStreamId(id), benchInvestigation(id, { pages: PAGES }), 'no_stream');
  const events = INVESTIGATIONS * (PAGES + 1);
  const subscriber = await mqtt.connectAsync(URL, { protocolVersion: 5 });
  let received = 0;
  subscriber.on('message', (topic) => void (topic.endsWith('/state') || (received += 1)));
  await subscriber.subscribeAsync(`${prefix}/#`, { qos: 1 });
  const metrics = new Metrics();
  const link = new MqttLink({ url: URL, clientId: `bench-${randomUUID().slice(0, 8)}`, logger: silentLogger });
  const bridge = new MqttBridge({ store, readModels, link, feed: deviceFeed(prefix), logger: silentLogger, metrics });
  const started = performance.now();
  bridge.start();
  const head = await store.headPosition();
  while ((await bridge.checkpoint()) < head || received < events) await new Promise((r) => setTimeout(r, 10));
  const seconds = (performance.now() - started) / 1000;
  const states = (await metrics.mqttPublished.get()).values.find((v) => v.labels.kind === 'state')?.value ?? 0;
  console.log(
    `mqtt bridge: ${events} events (${INVESTIGATIONS} investigations × ${PAGES + 1}) + ${states} retained states in ${seconds.toFixed(2)} s: ${Math.round(events / seconds)} events/s published, acknowledged, checkpointed and received`,
  );
  await bridge.stop();
  await Promise.all(
    ids.map((id) => subscriber.publishAsync(`${prefix}/investigations/${id}/state`, '', { qos: 1, retain: true })),
  );
  await subscriber.endAsync();
  await readModels.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
