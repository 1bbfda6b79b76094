import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamManager,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { defaultLaneFilter, laneFilter } from './command-codec.js';
import type { CommandLaneRoute } from '../command-bus.port.js';
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

/** A durable consumer of the command stream: the default lane's, or one lane's (`lane` set). */
export interface LaneConsumer {
  readonly durableName: string;
  readonly filterSubject: string;
  readonly lane?: string;
}

type ConsumerNaming = Pick<JetStreamSettings, 'subjectPrefix' | 'consumerName'>;

/** The durable every worker pulls commands outside a lane from: the one from before lanes existed. */
export function defaultLaneConsumer(naming: ConsumerNaming): LaneConsumer {
  return { durableName: naming.consumerName, filterSubject: defaultLaneFilter(naming.subjectPrefix) };
}

export function laneConsumer(naming: ConsumerNaming, lane: string): LaneConsumer {
  return {
    durableName: `${naming.consumerName}_${lane}`,
    filterSubject: laneFilter(naming.subjectPrefix, lane),
    lane,
  };
}

/** The default lane's consumer first, then one per lane. */
export function laneConsumers(naming: ConsumerNaming, routes: readonly CommandLaneRoute[]): readonly LaneConsumer[] {
  return [defaultLaneConsumer(naming), ...routes.map((route) => laneConsumer(naming, route.name))];
}

/**
 * Creates or converges the stream and the default lane's durable consumer. Several processes
 * may boot at once: creating with an identical config is a no-op for JetStream, and a
 * differing config (an older deploy) is updated to this one instead of failing the boot.
 *
 * A deployment from before lanes has one durable over `<prefix>.>`: it is narrowed to the
 * default lane's subjects and keeps its delivery and ack state, so the commands it had not
 * acked (all on subjects without a lane, long-running ones too) are delivered by it, once,
 * and nothing it acked comes back.
 */
export async function ensureCommandTopology(jsm: JetStreamManager, topology: Topology): Promise<void> {
  await ensureStream(jsm, topology);
  await ensureConsumer(jsm, topology, defaultLaneConsumer(topology));
}

/**
 * Creates or converges each lane's durable consumer, before anything is published on the
 * lane's subjects. It starts with the messages published after it exists (DeliverPolicy.New):
 * only a process that ensured it publishes there, so it misses none, and a lane consumer
 * created again later does not replay the stream's retained history of long commands.
 */
export async function ensureLaneConsumers(
  jsm: JetStreamManager,
  topology: Topology,
  routes: readonly CommandLaneRoute[],
): Promise<void> {
  for (const route of routes) await ensureConsumer(jsm, topology, laneConsumer(topology, route.name));
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

async function ensureConsumer(jsm: JetStreamManager, topology: Topology, consumer: LaneConsumer): Promise<void> {
  const updatable = {
    ack_wait: nanos(topology.ackWaitMs),
    max_deliver: topology.maxDeliver,
    filter_subject: consumer.filterSubject,
  };
  try {
    await jsm.consumers.add(topology.streamName, {
      durable_name: consumer.durableName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: consumer.lane === undefined ? DeliverPolicy.All : DeliverPolicy.New,
      ...updatable,
    });
  } catch (error) {
    if (!hasApiCode(error, [CONSUMER_EXISTS, CONSUMER_NAME_IN_USE])) throw error;
    await jsm.consumers.update(topology.streamName, consumer.durableName, updatable);
  }
}

function hasApiCode(error: unknown, codes: readonly number[]): boolean {
  return error instanceof JetStreamApiError && codes.includes(error.code);
}
