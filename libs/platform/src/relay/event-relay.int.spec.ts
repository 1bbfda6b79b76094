import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { CloudEvent } from '#audit';
import type { EventStore } from '#eventsourcing';
import { newEvents, newStreamId } from '#eventsourcing/testing';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store.js';
import { silentLogger } from '../logging/logger.js';
import { streamMessages } from '../../../../test/support/jetstream-messages.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { EventRelay } from './event-relay.js';
import { isWrongLastSequence } from './relay-stream.js';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const RUN = randomUUID().replaceAll('-', '').slice(0, 10);
/** The shortest duplicate window JetStream accepts (100 ms, in ns): too short to hide a relay's repeats. */
const SHORTEST_WINDOW_NS = 100 * 1_000_000;
const dir = mkdtempSync(join(tmpdir(), 'event-relay-'));
const streamNames: string[] = [];
const stores: SqliteEventStore[] = [];
const relays = new Set<EventRelay>();
let nc: NatsConnection;
let jsm: JetStreamManager;

interface Target {
  readonly streamName: string;
  readonly subjectPrefix: string;
}

/** A JetStream stream of this test alone. */
function newTarget(): Target {
  const n = streamNames.length + 1;
  const target = { streamName: `EVENTS_TEST_${RUN}_${n}`, subjectPrefix: `events_test_${RUN}_${n}` };
  streamNames.push(target.streamName);
  return target;
}

function newStore(filename = ':memory:'): SqliteEventStore {
  const store = new SqliteEventStore({ filename });
  stores.push(store);
  return store;
}

async function startRelay(store: EventStore, target: Target): Promise<EventRelay> {
  const relay = await EventRelay.start({ servers: NATS_URL, store, logger: silentLogger, ...target, batchSize: 7 });
  relays.add(relay);
  return relay;
}

async function stopRelay(relay: EventRelay): Promise<void> {
  relays.delete(relay);
  await relay.stop();
}

/** Created before any relay, whose ensureStream then leaves it as is. */
async function createStream(target: Target): Promise<void> {
  await jsm.streams.add({
    name: target.streamName,
    subjects: [`${target.subjectPrefix}.>`],
    duplicate_window: SHORTEST_WINDOW_NS,
  });
}

async function caughtUp(relay: EventRelay, store: EventStore, what: string): Promise<void> {
  const head = await store.headPosition();
  await waitUntil(async () => ((await relay.flushed()) === head ? true : undefined), what);
}

/** Every message in the stream, in stream order. */
async function expectStreamToMirror(target: Target, store: EventStore): Promise<void> {
  const messages = await streamMessages<CloudEvent>(nc, target.streamName);
  const stored = await store.readAll();
  expect(messages.map((m) => m.event.id)).toEqual(stored.map((e) => e.metadata.eventId));
  expect(messages.map((m) => m.event.position)).toEqual(stored.map((e) => e.position));
}

/**
 * Whether the stream still deduplicates `msgID`, asked without writing: JetStream checks the
 * id before the expected sequence, and 0 never matches a non-empty stream, so the probe is
 * either acked as a duplicate or refused.
 */
async function remembers(target: Target, msgID: string): Promise<boolean> {
  try {
    return (
      await jetstream(nc).publish(`${target.subjectPrefix}.probe.Probe`, '', { msgID, expect: { lastSequence: 0 } })
    ).duplicate;
  } catch (error) {
    if (isWrongLastSequence(error)) return false;
    throw error;
  }
}

beforeAll(async () => {
  nc = await connect({ servers: NATS_URL });
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  await Promise.all([...relays].map((relay) => relay.stop()));
  await Promise.all(streamNames.map((name) => jsm.streams.delete(name).catch(() => false)));
  await nc.close();
  await Promise.all(stores.map((store) => store.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('event relay to JetStream', () => {
  it('publishes every stored event once as CloudEvents, also across a restart', async () => {
    const store = newStore();
    const target = newTarget();
    const streamId = newStreamId('investigation');
    await store.appendToStream(streamId, newEvents(10, 'InvestigationStarted'), 'no_stream');
    const first = await startRelay(store, target);
    await store.appendToStream(streamId, newEvents(5, 'AnomalyDetected'), 10);
    await caughtUp(first, store, 'the first relay to catch up');
    await stopRelay(first);

    await store.appendToStream(streamId, newEvents(4, 'AnomalyDetected'), 15);
    const second = await startRelay(store, target);
    await caughtUp(second, store, 'the restarted relay to catch up');
    await stopRelay(second);

    await expectStreamToMirror(target, store);
    const [firstMessage] = await streamMessages<CloudEvent>(nc, target.streamName);
    expect(firstMessage).toMatchObject({
      subject: `${target.subjectPrefix}.investigation.InvestigationStarted`,
      event: {
        specversion: '1.0',
        source: '/cidadao-ai/investigation',
        type: 'br.gov.cidadao-ai.investigation.InvestigationStarted',
        subject: streamId,
      },
    });
  });

  it('two relays running at once over one store publish every event exactly once, in position order', async () => {
    const store = newStore();
    const target = newTarget();
    await createStream(target);
    await store.appendToStream(newStreamId('investigation'), newEvents(20, 'InvestigationStarted'), 'no_stream');
    const [a, b] = await Promise.all([startRelay(store, target), startRelay(store, target)]);
    // 180 more from five writers, four appends each, while both relays run.
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        const streamId = newStreamId('investigation');
        for (let revision = 0; revision < 36; revision += 9)
          await store.appendToStream(streamId, newEvents(9, 'AnomalyDetected'), revision);
      }),
    );
    expect(await store.headPosition()).toBe(200);
    await caughtUp(a, store, 'relay A to catch up');
    await caughtUp(b, store, 'relay B to catch up');

    await expectStreamToMirror(target, store);
  });

  it('a stale relay does not republish what another relay published after the duplicate window', async () => {
    // Two handles on one store file: appends through B never wake relay A, as for a relay
    // cut off from the store's notifications (a stalled process, a dropped LISTEN connection).
    const file = join(dir, `stale-${RUN}.sqlite`);
    const storeA = newStore(file);
    const storeB = newStore(file);
    const target = newTarget();
    await createStream(target);
    const streamId = newStreamId('investigation');
    await storeA.appendToStream(streamId, newEvents(10, 'InvestigationStarted'), 'no_stream');
    const a = await startRelay(storeA, target);
    await caughtUp(a, storeA, 'relay A to catch up');

    await storeB.appendToStream(streamId, newEvents(10, 'AnomalyDetected'), 10);
    const b = await startRelay(storeB, target);
    await caughtUp(b, storeB, 'relay B to publish what A missed');
    await stopRelay(b);
    expect(await a.flushed()).toBe(10);
    const lastOfB = (await storeB.readAll()).at(-1)?.metadata.eventId ?? '';
    await waitUntil(
      async () => ((await remembers(target, lastOfB)) ? undefined : true),
      "the stream to forget B's message ids",
    );

    // Wakes the stale relay, whose memory says the stream ends at position 10.
    await storeA.appendToStream(streamId, newEvents(1, 'InvestigationCompleted'), 20);
    await caughtUp(a, storeA, 'the stale relay to catch up');

    await expectStreamToMirror(target, storeA);
  });
});
