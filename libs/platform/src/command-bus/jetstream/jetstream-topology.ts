import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamManager,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { JetStreamSettings } from './jetstream-options.js';

/** "stream name already in use with a different configuration" */
const STREAM_NAME_IN_USE = 10058;
/** "consumer already exists" (servers ≥ 2.10 refuse to change a durable through create). */
const CONSUMER_EXISTS = 10148;
/** "consumer name already in use" */
const CONSUMER_NAME_IN_USE = 10013;

type Topology = Pick<
  JetStreamSettings,
  'streamName' | 'subjectPrefix' | 'consumerName' | 'ackWaitMs' | 'maxDeliver' | 'duplicateWindowMs' | 'maxAgeMs'
>;

/**
 * Creates or converges the stream and the durable consumer. Several processes may boot at
 * once: creating with an identical config is a no-op for JetStream, and a differing config
 * (an older deploy) is updated to this one instead of failing the boot.
 */
export async function ensureCommandTopology(jsm: JetStreamManager, topology: Topology): Promise<void> {
  await ensureStream(jsm, topology);
  await ensureConsumer(jsm, topology);
}

async function ensureStream(jsm: JetStreamManager, topology: Topology): Promise<void> {
  const config = {
    subjects: [`${topology.subjectPrefix}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: nanos(topology.duplicateWindowMs),
    max_age: nanos(topology.maxAgeMs),
  };
  try {
    await jsm.streams.add({ name: topology.streamName, ...config });
  } catch (error) {
    if (!hasApiCode(error, [STREAM_NAME_IN_USE])) throw error;
    await jsm.streams.update(topology.streamName, config);
  }
}

async function ensureConsumer(jsm: JetStreamManager, topology: Topology): Promise<void> {
  const updatable = {
    ack_wait: nanos(topology.ackWaitMs),
    max_deliver: topology.maxDeliver,
    filter_subject: `${topology.subjectPrefix}.>`,
  };
  try {
    await jsm.consumers.add(topology.streamName, {
      durable_name: topology.consumerName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ...updatable,
    });
  } catch (error) {
    if (!hasApiCode(error, [CONSUMER_EXISTS, CONSUMER_NAME_IN_USE])) throw error;
    await jsm.consumers.update(topology.streamName, topology.consumerName, updatable);
  }
}

function hasApiCode(error: unknown, codes: readonly number[]): boolean {
  return error instanceof JetStreamApiError && codes.includes(error.code);
}
