import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store.js';
import { checkReadiness } from '../health/readiness.js';
import { silentLogger } from '../logging/logger.js';
import { PostgresReadModelStore } from '../read-models/postgres-read-model-store.js';
import { ProjectorLeases } from '../read-models/projector-leases.js';
import { scratchSpace, TEST_DATABASE_URL } from '../read-models/read-models.testing.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { deviceFeed } from './device-feed.js';
import { MqttBridge } from './mqtt-bridge.js';
import { MqttLink } from './mqtt-link.js';
import {
  clearRetained,
  investigationEnd,
  investigationOpening,
  investigationPage,
  MQTT_TEST_URL,
  MqttRecorder,
  uniquePrefix,
} from './mqtt.testing.js';

const scratch = scratchSpace('mqtt_lease');
afterAll(() => scratch.dispose());

describe('MQTT bridge among distributed workers', () => {
  it('runs in one worker at a time: every event published once, also when the lease moves', async () => {
    const schema = scratch.schema();
    const store = await PostgresEventStore.open({ connectionString: TEST_DATABASE_URL, schema, pollIntervalMs: 100 });
    const readModels = await PostgresReadModelStore.open({ connectionString: TEST_DATABASE_URL, schema });
    const prefix = uniquePrefix('lease');
    const id = randomUUID();
    const subscriber = await MqttRecorder.open(MQTT_TEST_URL, `${prefix}/#`);
    // Two workers, each with its bridge under a lease on the same name.
    const workers = [0, 1].map(() => {
      const link = new MqttLink({
        url: MQTT_TEST_URL,
        clientId: `bridge-${randomUUID().slice(0, 8)}`,
        logger: silentLogger,
      });
      const bridge = new MqttBridge({ store, readModels, link, feed: deviceFeed(prefix), logger: silentLogger });
      const leases = new ProjectorLeases({
        connectionString: TEST_DATABASE_URL,
        schema,
        projectors: [bridge],
        logger: silentLogger,
        retryMs: 100,
      });
      return { bridge, leases };
    });
    try {
      for (const worker of workers) worker.leases.start();
      await store.appendToStream(`investigation-${id}`, investigationOpening(id, 2), 'no_stream');
      const holder = await waitUntil(
        () => workers.find((w) => w.leases.running.length > 0),
        'a worker to take the lease',
      );
      const other = workers.find((w) => w !== holder);
      expect(other?.leases.running).toEqual([]);
      // The standby worker reports the broker without owing it anything.
      const report = await checkReadiness([
        { name: 'mqtt', kind: 'mqtt', ping: () => other!.bridge.ping(), optional: true },
      ]);
      expect(report).toEqual({ status: 'ready', mqtt: { kind: 'mqtt', status: 'up' } });
      await waitUntil(() => (subscriber.events().length >= 6 ? true : undefined), 'the first events');

      await holder.leases.stop();
      await store.appendToStream(`investigation-${id}`, [...investigationPage(3, 3), ...investigationEnd(300, 3)], 6);
      await waitUntil(() => (other?.leases.running.length ? true : undefined), 'the other worker to take over');
      const head = await store.headPosition();
      await waitUntil(async () => ((await other?.bridge.checkpoint()) === head ? true : undefined), 'the rest');
      await waitUntil(() => (subscriber.events().length >= 9 ? true : undefined), 'every event');
      const ids = subscriber.events().map((m) => m.userProperties['event-id']);
      expect(ids).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    } finally {
      await Promise.all(workers.map((w) => w.leases.stop()));
      await clearRetained(MQTT_TEST_URL, [`${prefix}/investigations/${id}/state`]);
      await subscriber.close();
      await readModels.close();
      await store.close();
    }
  }, 30_000);
});
