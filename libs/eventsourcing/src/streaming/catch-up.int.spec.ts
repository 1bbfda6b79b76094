import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { firstValueFrom, takeWhile, timeout, toArray } from 'rxjs';
import pg from 'pg';
import { PostgresEventStore, SqliteEventStore } from '#platform';
import type { EventStore, NewEvent } from '../event-store/event-store.port.js';
import { seededRandom } from '../../../../test/support/seeded-random.js';
import { catchUpThenLive, streamSource } from './catch-up.js';
import type { HubSink } from './hub/hub-sink.js';
import { StreamHubs } from './hub/stream-hubs.js';
import { LiveFeed } from './live-feed.js';
import type { Pacing } from './pacing.js';

const event = (n: number): NewEvent => ({
  type: 'Tick',
  data: { n },
  metadata: {
    eventId: randomUUID(),
    commandId: 'c',
    correlationId: 'c',
    userId: 'u',
    occurredAt: new Date().toISOString(),
  },
});

/**
 * One writer appends TOTAL events in small batches while SUBSCRIBERS join at random moments
 * from random resume points; each must see exactly the events after its resume point.
 */
/**
 * A consumer that now and then cannot take the next event (a socket over its buffer): the
 * follower must drop back to reading the store and come back live without a gap or a repeat.
 */
function flakyPacing(random: () => number): Pacing {
  return {
    ready: () =>
      random() < 0.3 ? new Promise<void>((resolve) => setTimeout(resolve, Math.floor(random() * 3))) : null,
  };
}

type Follower = (after: number, total: number, random: () => number) => Promise<number[]>;

const followWithCatchUp =
  (store: EventStore, feed: LiveFeed, streamId: string, paced: boolean): Follower =>
  (after, total, random) =>
    firstValueFrom(
      catchUpThenLive(store, feed, streamId, after, {
        pageSize: 7,
        ...(paced ? { pacing: flakyPacing(random) } : {}),
      }).pipe(
        takeWhile((e) => e.revision < total, true),
        toArray(),
        timeout(30_000),
      ),
    ).then((events) => events.map((e) => e.revision));

/** The same follower through a stream's hub; a paced sink now and then reports its buffer full. */
const followThroughHub =
  (hubs: StreamHubs<number>, streamId: string, paced: boolean): Follower =>
  (after, total, random) =>
    new Promise<number[]>((resolve, reject) => {
      const seen: number[] = [];
      const timer = setTimeout(
        () => reject(new Error(`hub follower after ${after} stalled at ${seen.at(-1)}`)),
        30_000,
      );
      let subscription: { unsubscribe(): void } | null = null;
      const sink: HubSink<number> = {
        write: (frames) => {
          seen.push(...frames);
          if (seen.at(-1) === total) {
            clearTimeout(timer);
            subscription?.unsubscribe();
            resolve(seen);
          }
          return !(paced && random() < 0.3);
        },
        writable: () => new Promise((done) => setTimeout(done, Math.floor(random() * 3))),
        end: () => reject(new Error('ended early')),
        error: reject,
      };
      subscription = hubs.subscribe(streamId, after, sink);
    });

async function raceSubscribersAgainstWriter(
  store: EventStore,
  seed: number,
  paced = false,
  through: 'catch-up' | 'hub' = 'catch-up',
): Promise<void> {
  const TOTAL = 300;
  const SUBSCRIBERS = 60;
  const random = seededRandom(seed);
  const feed = new LiveFeed(store);
  const streamId = `race-${randomUUID()}`;
  const runs: Array<{ after: number; seen: Promise<number[]> }> = [];
  const hubs = new StreamHubs<number>(
    (id) => streamSource(store, feed, id),
    { frame: (e) => e.revision },
    { pageSize: 7 },
  );
  const follower =
    through === 'hub' ? followThroughHub(hubs, streamId, paced) : followWithCatchUp(store, feed, streamId, paced);
  let revision = 0;
  try {
    while (revision < TOTAL) {
      const size = Math.min(TOTAL - revision, 1 + Math.floor(random() * 3));
      const batch = Array.from({ length: size }, (_, i) => event(revision + i + 1));
      const appending = store.appendToStream(streamId, batch, revision);
      while (runs.length < SUBSCRIBERS && random() < SUBSCRIBERS / (TOTAL / 2)) {
        const after = Math.floor(random() * (revision + 1));
        const seen = follower(after, TOTAL, random);
        runs.push({ after, seen });
      }
      revision = (await appending).nextRevision;
    }
    for (const run of runs) {
      const expected = Array.from({ length: TOTAL - run.after }, (_, i) => run.after + i + 1);
      expect({ seed, after: run.after, seen: await run.seen }).toEqual({ seed, after: run.after, seen: expected });
    }
    expect(runs.length).toBeGreaterThan(SUBSCRIBERS / 2);
  } finally {
    feed.close();
  }
}

describe('catch-up then live', () => {
  it('never loses or repeats an event on SQLite while subscribers join mid-write', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    try {
      for (const seed of [1, 2, 3]) await raceSubscribersAgainstWriter(store, seed);
    } finally {
      await store.close();
    }
  });

  it('never loses or repeats an event on SQLite when consumers fall behind and catch up again', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    try {
      for (const seed of [4, 5, 6]) await raceSubscribersAgainstWriter(store, seed, true);
    } finally {
      await store.close();
    }
  });

  it('never loses or repeats an event through a hub on SQLite while subscribers join mid-write', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    try {
      for (const seed of [7, 8, 9]) await raceSubscribersAgainstWriter(store, seed, false, 'hub');
    } finally {
      await store.close();
    }
  });

  it('never loses or repeats an event through a hub on SQLite when subscribers leave it and rejoin', async () => {
    const store = new SqliteEventStore({ filename: ':memory:' });
    try {
      for (const seed of [10, 11, 12]) await raceSubscribersAgainstWriter(store, seed, true, 'hub');
    } finally {
      await store.close();
    }
  });

  describe('on PostgreSQL', () => {
    const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `catchup_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    afterAll(async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    });

    it('never loses or repeats an event while subscribers join mid-write', async () => {
      const store = await PostgresEventStore.open({ connectionString: url, schema, pollIntervalMs: 200 });
      try {
        await raceSubscribersAgainstWriter(store, Date.now() % 100000);
        await raceSubscribersAgainstWriter(store, (Date.now() + 1) % 100000, true);
        await raceSubscribersAgainstWriter(store, (Date.now() + 2) % 100000, false, 'hub');
        await raceSubscribersAgainstWriter(store, (Date.now() + 3) % 100000, true, 'hub');
      } finally {
        await store.close();
      }
    });
  });
});
