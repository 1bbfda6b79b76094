import { describe, expect, it } from '@jest/globals';
import { describeEventStoreContract } from '#eventsourcing/testing';
import { EventStoreUnavailableError } from '#eventsourcing';
import { KurrentDbEventStore } from './kurrentdb-event-store.js';

const url = process.env.KURRENTDB_URL;
if (!url) console.log('KurrentDB contract skipped: KURRENTDB_URL is not set');

(url ? describe : describe.skip)('kurrentdb server', () => {
  describeEventStoreContract('kurrentdb', async () => {
    const store = await KurrentDbEventStore.open({ connectionString: url ?? '' });
    return { store, dispose: () => store.close() };
  });
});

describe('kurrentdb event store without a server', () => {
  it('reports an unreachable server as EventStoreUnavailableError', async () => {
    // One discovery attempt: the client's default retries for several seconds.
    const connectionString =
      'kurrentdb://127.0.0.1:1?tls=false&maxDiscoverAttempts=1&discoveryInterval=10&gossipTimeout=500';
    await expect(KurrentDbEventStore.open({ connectionString })).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });
});
