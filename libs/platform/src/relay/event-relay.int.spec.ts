import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { CloudEvent } from '#audit';
import { newEvents, newStreamId } from '../event-store/event-store.contract-fixtures.js';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store.js';
import { silentLogger } from '../logging/logger.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { EventRelay } from './event-relay.js';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const RUN = randomUUID().replaceAll('-', '').slice(0, 10);
const streamName = `EVENTS_TEST_${RUN}`;
const subjectPrefix = `events_test_${RUN}`;
const store = new SqliteEventStore({ filename: ':memory:' });
const start = () => EventRelay.start({ servers: NATS_URL, store, logger: silentLogger, streamName, subjectPrefix, batchSize: 7 });

/** Every message in the stream, in stream order. */
async function published(): Promise<Array<{ subject: string; event: CloudEvent }>> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(streamName);
    const messages: Array<{ subject: string; event: CloudEvent }> = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const message = await jsm.streams.getMessage(streamName, { seq });
      if (message) messages.push({ subject: message.subject, event: message.json<CloudEvent>() });
    }
    return messages;
  } finally {
    await nc.close();
  }
}

afterAll(async () => {
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(streamName).catch(() => false);
  await nc.close();
  await store.close();
});

describe('event relay to JetStream', () => {
  it('publishes every stored event once as CloudEvents, also across a restart', async () => {
    const streamId = newStreamId('investigation');
    await store.appendToStream(streamId, newEvents(10, 'InvestigationStarted'), 'no_stream');
    const first = await start();
    await store.appendToStream(streamId, newEvents(5, 'AnomalyDetected'), 10);
    const head = await store.headPosition();
    await waitUntil(async () => ((await first.flushed()) === head ? true : undefined), 'the first relay to catch up');
    await first.stop();

    await store.appendToStream(streamId, newEvents(4, 'AnomalyDetected'), 15);
    const second = await start();
    const newHead = await store.headPosition();
    await waitUntil(async () => ((await second.flushed()) === newHead ? true : undefined), 'the restarted relay to catch up');
    await second.stop();

    const messages = await published();
    const stored = await store.readAll();
    expect(messages.map((m) => m.event.id)).toEqual(stored.map((e) => e.metadata.eventId));
    expect(messages.map((m) => m.event.position)).toEqual(stored.map((e) => e.position));
    expect(messages[0]).toMatchObject({
      subject: `${subjectPrefix}.investigation.InvestigationStarted`,
      event: { specversion: '1.0', source: '/cidadao-ai/investigation', type: 'br.gov.cidadao-ai.investigation.InvestigationStarted', subject: streamId },
    });
  });
});
