import { describe, expect, it } from '@jest/globals';
import { firstValueFrom, timeout, toArray } from 'rxjs';
import type { EventStore } from '../event-store/event-store.port.js';
import {
  FEED_TIMEOUT_MS,
  SENTINEL_TYPE,
  collectUntilSentinel,
  expectStrictlyIncreasing,
  newEvent,
  newEvents,
  newStreamId,
  writeBatches,
  type EventStoreFactory,
} from './event-store.contract-fixtures.js';

/** Part of describeEventStoreContract: what subscribe() owes its subscribers. */
export function describeLiveFeedContract(store: () => EventStore, factory: EventStoreFactory): void {
  describe('live feed', () => {
    it('delivers each event appended after subscribing once, in position order, to every subscriber', async () => {
      const writers = Array.from({ length: 5 }, () => newStreamId('writer'));
      const sentinel = newStreamId('sentinel');
      const watched = new Set([...writers, sentinel]);
      const first = collectUntilSentinel(store().subscribe(), watched);
      const second = collectUntilSentinel(store().subscribe(), watched);

      await Promise.all(writers.map((streamId) => writeBatches(store(), streamId, 5, 2)));
      await store().appendToStream(sentinel, [newEvent(SENTINEL_TYPE)], 'no_stream');

      const stored = (await Promise.all([...watched].map((streamId) => store().readStream(streamId))))
        .flat()
        .sort((a, b) => a.position - b.position);
      expect(stored).toHaveLength(51);
      const [fromFirst, fromSecond] = await Promise.all([first, second]);
      expect(fromFirst).toEqual(stored);
      expect(fromSecond).toEqual(stored);
      expectStrictlyIncreasing(fromFirst.map((event) => event.position));
    });

    it('does not deliver events appended before subscribing', async () => {
      const streamId = newStreamId('before');
      await store().appendToStream(streamId, newEvents(2), 'no_stream');
      const received = collectUntilSentinel(store().subscribe(), new Set([streamId]));
      await store().appendToStream(streamId, [newEvent(), newEvent(SENTINEL_TYPE)], 2);
      expect((await received).map((event) => event.revision)).toEqual([3, 4]);
    });

    it('completes the feed on close(), also for subscribers that come later', async () => {
      const { store: closing, dispose } = await factory();
      try {
        const completed = firstValueFrom(closing.subscribe().pipe(toArray(), timeout({ first: FEED_TIMEOUT_MS })));
        await closing.close();
        await expect(completed).resolves.toBeInstanceOf(Array);
        await expect(firstValueFrom(closing.subscribe().pipe(toArray()))).resolves.toEqual([]);
      } finally {
        await dispose();
      }
    });
  });
}
