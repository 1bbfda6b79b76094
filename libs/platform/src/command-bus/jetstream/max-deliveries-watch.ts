import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { CommandLaneRoute } from '../command-bus.port.js';
import { reportDeadLetter } from '../delivery-policy.js';
import { decodeRoutedCommand } from './command-codec.js';
import type { JetStreamSettings } from './jetstream-options.js';
import { laneConsumers } from './jetstream-topology.js';

/** What the server says when it stops redelivering a message (nats-server's ConsumerDeliveryExceededAdvisory). */
interface MaxDeliveriesAdvisory {
  readonly stream_seq: number;
  readonly deliveries: number;
}

/**
 * A worker that fails a command on its last delivery dead-letters it itself. One that dies
 * or hangs on it never does: the server just stops after max_deliver ack timeouts and says
 * so in an advisory. This turns those advisories into the same dead letter (log and
 * commands_dead_lettered_total), for every lane's consumer. A queue group, so each advisory
 * is counted by one worker.
 */
export function watchMaxDeliveries(
  nc: NatsConnection,
  jsm: JetStreamManager,
  settings: JetStreamSettings,
  routes: readonly CommandLaneRoute[],
): Subscription {
  const { streamName, consumerName, logger, metrics } = settings;
  const ours = new Set(laneConsumers(settings, routes).map((consumer) => consumer.durableName));
  const subject = `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${streamName}.*`;
  return nc.subscribe(subject, {
    queue: `${consumerName}-dead-letters`,
    callback: (error, msg) => {
      if (error) return logger.warn({ err: error }, 'max-deliveries advisories stopped');
      // The last token names the consumer: the stream may have others than this bus's lanes.
      if (!ours.has(msg.subject.slice(msg.subject.lastIndexOf('.') + 1))) return;
      let advisory: MaxDeliveriesAdvisory;
      try {
        advisory = msg.json<MaxDeliveriesAdvisory>();
      } catch {
        return logger.warn({ subject }, 'unreadable max-deliveries advisory');
      }
      void jsm.streams
        .getMessage(streamName, { seq: advisory.stream_seq })
        .then((stored) => (stored ? decodeRoutedCommand(stored.data) : undefined))
        .catch(() => undefined)
        .then((message) =>
          reportDeadLetter(
            { logger, ...(metrics ? { metrics } : {}) },
            {
              commandType: message?.command.type ?? 'unknown',
              ...(message ? { commandId: message.command.metadata.commandId, target: message.target } : {}),
              deliveryCount: advisory.deliveries,
              reason: 'max_deliver',
              error: new Error(
                `no acknowledgement after ${advisory.deliveries} deliveries (stream sequence ${advisory.stream_seq})`,
              ),
            },
          ),
        );
    },
  });
}
