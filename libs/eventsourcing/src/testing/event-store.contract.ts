import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WrongExpectedRevisionError } from '../event-store/event-store.errors.js';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port.js';
import { describeLiveFeedContract } from './event-store.live-feed.contract.js';
import {
  expectStrictlyIncreasing,
  newEvent,
  newEvents,
  newStreamId,
  type EventStoreFactory,
} from './event-store.contract-fixtures.js';

export type { EventStoreFactory, EventStoreUnderTest } from './event-store.contract-fixtures.js';

/**
 * The behaviour every adapter owes the port. Each test writes to its own fresh streams,
 * so suites can share a store (or a server) and run in any order.
 */
export function describeEventStoreContract(name: string, factory: EventStoreFactory): void {
  describe(`${name} event store contract`, () => {
    let store: EventStore;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      ({ store, dispose } = await factory());
    });
    afterAll(async () => {
      await dispose();
    });
    const current = () => store;

    describeAppendContract(current);
    describeReadContract(current);
    describeLiveFeedContract(current, factory);

    it('answers ping()', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

function describeAppendContract(store: () => EventStore): void {
  describe('appendToStream', () => {
    it('creates a stream with no_stream and numbers revisions from 1', async () => {
      const streamId = newStreamId();
      const first = await store().appendToStream(streamId, [newEvent()], 'no_stream');
      const next = await store().appendToStream(streamId, newEvents(2), 1);
      expect(first.nextRevision).toBe(1);
      expect(next.nextRevision).toBe(3);
      expect(next.lastPosition).toBeGreaterThan(first.lastPosition);
      const read = await store().readStream(streamId);
      expect(read.map((event) => event.revision)).toEqual([1, 2, 3]);
      expect(read[2]?.position).toBe(next.lastPosition);
    });

    it('treats expected revision 0 as "the stream must not exist"', async () => {
      const streamId = newStreamId();
      await expect(store().appendToStream(streamId, [newEvent()], 0)).resolves.toMatchObject({ nextRevision: 1 });
      await expect(store().appendToStream(streamId, [newEvent()], 0)).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
    });

    it('does not check anything with "any"', async () => {
      const streamId = newStreamId();
      await store().appendToStream(streamId, [newEvent()], 'any');
      await expect(store().appendToStream(streamId, newEvents(2), 'any')).resolves.toMatchObject({ nextRevision: 3 });
    });

    it('writes all events of one append with contiguous revisions and increasing positions', async () => {
      const streamId = newStreamId();
      const result = await store().appendToStream(streamId, newEvents(5), 'no_stream');
      const read = await store().readStream(streamId);
      expect(read.map((event) => event.revision)).toEqual([1, 2, 3, 4, 5]);
      expectStrictlyIncreasing(read.map((event) => event.position));
      expect(read.at(-1)?.position).toBe(result.lastPosition);
    });

    it('writes none of the events of an append that fails part-way', async () => {
      const streamId = newStreamId();
      const unserializable = newEvent('Broken', { amount: 10n });
      await expect(
        store().appendToStream(streamId, [newEvent(), newEvent(), unserializable], 'no_stream'),
      ).rejects.toThrow();
      expect(await store().readStream(streamId)).toEqual([]);
    });

    it('rejects a wrong expected revision and changes nothing', async () => {
      const streamId = newStreamId();
      await store().appendToStream(streamId, newEvents(2), 'no_stream');
      const failure = store().appendToStream(streamId, [newEvent()], 1);
      await expect(failure).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(failure).rejects.toMatchObject({ streamId, expected: 1, actual: 2 });
      await expect(store().appendToStream(streamId, [newEvent()], 'no_stream')).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      await expect(store().appendToStream(streamId, [newEvent()], 7)).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      expect((await store().readStream(streamId)).map((event) => event.revision)).toEqual([1, 2]);
    });

    it('lets exactly one of 20 concurrent appends with the same expected revision win', async () => {
      const streamId = newStreamId();
      await store().appendToStream(streamId, [newEvent()], 'no_stream');
      const contenders = newEvents(20);
      const outcomes = await Promise.allSettled(
        contenders.map((event) => store().appendToStream(streamId, [event], 1)),
      );
      const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [contenders[index]] : []));
      const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
      expect(winners).toHaveLength(1);
      expect(losers.every((reason) => reason instanceof WrongExpectedRevisionError)).toBe(true);
      const read = await store().readStream(streamId);
      expect(read.map((event) => event.revision)).toEqual([1, 2]);
      expect(read[1]?.metadata.eventId).toBe(winners[0]?.metadata.eventId);
    });

    it('checks the expected revision of an empty append and writes nothing', async () => {
      const streamId = newStreamId();
      const written = await store().appendToStream(streamId, newEvents(2), 'no_stream');
      await expect(store().appendToStream(streamId, [], 2)).resolves.toEqual(written);
      await expect(store().appendToStream(streamId, [], 1)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect(await store().readStream(streamId)).toHaveLength(2);
    });
  });
}

function describeReadContract(store: () => EventStore): void {
  describe('reading', () => {
    it('reads a stream after a revision, at most maxCount events', async () => {
      const streamId = newStreamId();
      await store().appendToStream(streamId, newEvents(10), 'no_stream');
      const revisions = async (after: number, maxCount?: number) =>
        (await store().readStream(streamId, maxCount === undefined ? { after } : { after, maxCount })).map(
          (e) => e.revision,
        );
      expect(await revisions(3, 4)).toEqual([4, 5, 6, 7]);
      expect(await revisions(8)).toEqual([9, 10]);
      expect(await revisions(10)).toEqual([]);
    });

    it('reads an unknown stream as empty', async () => {
      expect(await store().readStream(newStreamId('unknown'))).toEqual([]);
      expect(await store().readLastEvent(newStreamId('unknown'))).toBeNull();
    });

    it("reads a stream's newest event, as readStream returns it", async () => {
      const streamId = newStreamId();
      await store().appendToStream(streamId, newEvents(3), 'no_stream');
      const all = await store().readStream(streamId);
      expect(await store().readLastEvent(streamId)).toEqual(all.at(-1));
      await store().appendToStream(streamId, newEvents(1), 3);
      expect((await store().readLastEvent(streamId))?.revision).toBe(4);
    });

    it('reads all streams after a position in strictly increasing position order', async () => {
      const before = await store().headPosition();
      const streams = [newStreamId('all-a'), newStreamId('all-b'), newStreamId('all-c')];
      const appended: string[] = [];
      for (let round = 1; round <= 3; round += 1) {
        for (const streamId of streams) {
          await store().appendToStream(streamId, [newEvent()], round === 1 ? 'no_stream' : round - 1);
          appended.push(`${streamId}#${round}`);
        }
      }
      const read = (await store().readAll({ after: before })).filter((event) => streams.includes(event.streamId));
      expect(read.map((event) => `${event.streamId}#${event.revision}`)).toEqual(appended);
      expectStrictlyIncreasing(read.map((event) => event.position));
    });

    it('pages through readAll with maxCount, each event exactly once', async () => {
      const before = await store().headPosition();
      const streamId = newStreamId('paging');
      const { lastPosition } = await store().appendToStream(streamId, newEvents(7), 'no_stream');
      const everything = await store().readAll({ after: before });
      const paged: RecordedEvent[] = [];
      for (let after = before; after < lastPosition;) {
        const page = await store().readAll({ after, maxCount: 3 });
        expect(page.length).toBeGreaterThan(0);
        expect(page.length).toBeLessThanOrEqual(3);
        paged.push(...page);
        after = page.at(-1)?.position ?? lastPosition;
      }
      const upToOurs = (events: RecordedEvent[]) =>
        events.filter((e) => e.position <= lastPosition).map((e) => e.position);
      expect(upToOurs(paged)).toEqual(upToOurs(everything));
      expect(paged.filter((event) => event.streamId === streamId).map((event) => event.revision)).toEqual([
        1, 2, 3, 4, 5, 6, 7,
      ]);
    });

    it('reports the head position as the position of the latest event', async () => {
      const before = await store().headPosition();
      const { lastPosition } = await store().appendToStream(newStreamId(), [newEvent()], 'no_stream');
      const head = await store().headPosition();
      expect(head).toBeGreaterThanOrEqual(lastPosition);
      expect((await store().readAll({ after: before })).map((event) => event.position)).toContain(lastPosition);
      expect(await store().readAll({ after: head })).toEqual([]);
    });

    it('round-trips data and metadata: unicode, nesting, arrays, null', async () => {
      const before = await store().headPosition();
      const streamId = newStreamId('round-trip');
      const data = {
        municipio: 'São Paulo — licitação nº 42 ✓ 日本 🚀',
        valores: [1, 2.5, -3, 0],
        fornecedor: { cnpj: '12.345.678/0001-90', socios: [{ nome: 'Ana "Zé" Müller', ativo: true }], extra: null },
      };
      const event = newEvent('ContractFlagged', data, { tenant: { id: 'açaí', tags: ['x', 'y'] } });
      await store().appendToStream(streamId, [event], 'no_stream');
      const [fromStream] = await store().readStream(streamId);
      expect(fromStream).toMatchObject({ streamId, revision: 1, type: 'ContractFlagged' });
      expect(fromStream?.data).toEqual(data);
      expect(fromStream?.metadata).toEqual(event.metadata);
      const fromAll = (await store().readAll({ after: before })).filter((e) => e.streamId === streamId);
      expect(fromAll).toEqual([fromStream]);
    });
  });
}
