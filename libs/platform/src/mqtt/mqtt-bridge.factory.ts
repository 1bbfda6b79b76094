import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EventStore, ReadModelStore } from '#eventsourcing';
import type { MqttSettings } from '../config/settings-sections.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { deviceFeed } from './device-feed.js';
import { MqttBridge } from './mqtt-bridge.js';
import { MqttLink } from './mqtt-link.js';

export interface MqttBridgeDeps {
  readonly store: EventStore;
  readonly readModels: ReadModelStore;
  readonly logger: Logger;
  readonly metrics?: Metrics;
}

/** The bridge MQTT_URL asks for, not started; null without MQTT_URL. */
export function createMqttBridge(mqtt: MqttSettings, deps: MqttBridgeDeps): MqttBridge | null {
  if (!mqtt.url) return null;
  const logger = deps.logger.child({ component: 'mqtt-bridge' });
  const link = new MqttLink({
    url: mqtt.url,
    clientId: `cidadao-bridge-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    logger,
  });
  return new MqttBridge({ ...deps, logger, link, feed: deviceFeed(mqtt.topicPrefix) });
}
