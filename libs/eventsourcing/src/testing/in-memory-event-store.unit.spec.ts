import { describe, expect, it } from '@jest/globals';
import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import { describeEventStoreContract } from './event-store.contract.js';
import { FEED_TIMEOUT_MS, newEvent, newStreamId } from './event-store.contract-fixtures.js';
import { InMemoryEventStore } from './in-memory-event-store.js';

describeEventStoreContract('in-memory', async () => {
  const store = new InMemoryEventStore();
  return { store, dispose: () => store.close() };
});

describe('in-memory event store', () => {
  it('keeps position order for every subscriber when one appends from inside its handler', async () => {
    const store = new InMemoryEventStore();
    try {
      const [trigger, reaction] = [newStreamId('trigger'), newStreamId('reaction')];
      const observed = firstValueFrom(store.subscribe().pipe(take(3), toArray(), timeout({ first: FEED_TIMEOUT_MS })));
      const reacting = store.subscribe().subscribe((event) => {
        if (event.streamId === trigger && event.revision === 1)
          void store.appendToStream(reaction, [newEvent()], 'no_stream');
      });
      await store.appendToStream(trigger, [newEvent(), newEvent()], 'no_stream');
      reacting.unsubscribe();
      const events = await observed;
      expect(events.map((event) => event.position)).toEqual([1, 2, 3]);
      expect(events.map((event) => event.streamId)).toEqual([trigger, trigger, reaction]);
    } finally {
      await store.close();
    }
  });

  it('hands every reader its own copy, so a caller cannot change what is stored', async () => {
    const store = new InMemoryEventStore();
    const streamId = newStreamId();
    const event = newEvent('Noted', { tags: ['a'] });
    await store.appendToStream(streamId, [event], 'no_stream');
    (event.data as { tags: string[] }).tags.push('changed by the writer');
    const [read] = await store.readStream(streamId);
    (read?.data as { tags: string[] }).tags.push('changed by a reader');
    expect((await store.readStream(streamId))[0]?.data).toEqual({ tags: ['a'] });
    await store.close();
  });
});
