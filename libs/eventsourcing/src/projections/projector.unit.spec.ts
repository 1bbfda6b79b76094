import { afterEach, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore, InMemoryReadModelStore, newEvent, newStreamId } from '../testing/index.js';
import { describeReadModelStoreContract } from '../testing/read-model-store.contract.js';
import type { RecordedEvent } from '../event-store/event-store.port.js';
import { checkpointReached } from './checkpoint-wait.js';
import type { Projection } from './projection.js';
import { Projector } from './projector.js';

interface Counter {
  readonly count: number;
  readonly seen: number[];
}

/** Counts `Counted` events per stream: double counting shows at once. */
const counting = (version = 1): Projection<RecordedEvent> => ({
  name: 'counters',
  version,
  collections: ['counters'],
  read: (event) => (event.type === 'Counted' ? event : null),
  async handle(event, context) {
    const current = (await context.get<Counter>('counters', event.streamId)) ?? { count: 0, seen: [] };
    const next = { count: current.count + 1, seen: [...current.seen, event.revision] };
    context.put('counters', event.streamId, next, {
      owner: null,
      status: null,
      sortAt: null,
      search: null,
    });
  },
});

const stores: InMemoryEventStore[] = [];
const open = () => {
  const store = new InMemoryEventStore();
  stores.push(store);
  return { store, readModels: new InMemoryReadModelStore() };
};
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

const countOf = async (readModels: InMemoryReadModelStore, streamId: string) =>
  (await readModels.get<Counter>('counters', streamId))?.doc.count ?? 0;

describeReadModelStoreContract('in-memory', async () => ({
  readModels: new InMemoryReadModelStore(),
  dispose: async () => undefined,
}));

describe('Projector', () => {
  it('catches up from position 0, in batches, and records the checkpoint', async () => {
    const { store, readModels } = open();
    const stream = newStreamId();
    await store.appendToStream(
      stream,
      Array.from({ length: 7 }, () => newEvent('Counted')),
      'no_stream',
    );
    await store.appendToStream(newStreamId(), [newEvent('Ignored')], 'no_stream');
    const projector = new Projector({ store, readModels, projection: counting(), batchSize: 3 });
    expect(await projector.catchUp()).toBe(8);
    expect(await readModels.get<Counter>('counters', stream)).toMatchObject({
      doc: { count: 7, seen: [1, 2, 3, 4, 5, 6, 7] },
      position: 7,
    });
    expect(await readModels.checkpoint('counters')).toEqual({ projection: 'counters', version: 1, position: 8 });
    expect(await projector.lag()).toBe(0);
  });

  it('resumes from its checkpoint after a restart without counting twice', async () => {
    const { store, readModels } = open();
    const stream = newStreamId();
    await store.appendToStream(stream, [newEvent('Counted'), newEvent('Counted')], 'no_stream');
    await new Projector({ store, readModels, projection: counting() }).catchUp();
    await store.appendToStream(stream, [newEvent('Counted')], 2);
    const restarted = new Projector({ store, readModels, projection: counting() });
    await restarted.catchUp();
    await restarted.catchUp();
    expect(await countOf(readModels, stream)).toBe(3);
  });

  it('lets two projectors on one read model apply each event once', async () => {
    const { store, readModels } = open();
    const stream = newStreamId();
    await store.appendToStream(
      stream,
      Array.from({ length: 50 }, () => newEvent('Counted')),
      'no_stream',
    );
    const [a, b] = [1, 2].map(() => new Projector({ store, readModels, projection: counting(), batchSize: 4 }));
    await Promise.all([a?.catchUp(), b?.catchUp()]);
    expect(await countOf(readModels, stream)).toBe(50);
  });

  it('follows the live feed once started, and stops following on stop()', async () => {
    const { store, readModels } = open();
    const stream = newStreamId();
    const projector = new Projector({ store, readModels, projection: counting() });
    projector.start();
    await store.appendToStream(stream, [newEvent('Counted')], 'no_stream');
    const head = await store.headPosition();
    expect(await checkpointReached(readModels, 'counters', head, { timeoutMs: 5_000, intervalMs: 5 })).toBe(true);
    await projector.stop();
    await store.appendToStream(stream, [newEvent('Counted')], 1);
    expect(await checkpointReached(readModels, 'counters', head + 1, { timeoutMs: 50, intervalMs: 5 })).toBe(false);
    expect(await countOf(readModels, stream)).toBe(1);
    expect(await projector.lag()).toBe(1);
  });

  it('rebuilds from position 0 on demand, and when its version changes', async () => {
    const { store, readModels } = open();
    const stream = newStreamId();
    await store.appendToStream(stream, [newEvent('Counted'), newEvent('Counted')], 'no_stream');
    const projector = new Projector({ store, readModels, projection: counting() });
    await projector.catchUp();
    await readModels.commit({
      projection: 'counters',
      version: 1,
      from: 2,
      to: 2,
      writes: [
        {
          collection: 'counters',
          id: stream,
          doc: { count: 99, seen: [] },
          position: 2,
          index: { owner: null, status: null, sortAt: null, search: null },
        },
      ],
    });
    expect(await projector.rebuild()).toBe(2);
    expect(await countOf(readModels, stream)).toBe(2);
    await new Projector({ store, readModels, projection: counting(2) }).catchUp();
    expect(await countOf(readModels, stream)).toBe(2);
    expect((await readModels.checkpoint('counters'))?.version).toBe(2);
  });

  it('tries again after a failing run, without losing its place', async () => {
    const { store, readModels } = open();
    const stream = newStreamId();
    let failures = 1;
    const flaky: Projection<RecordedEvent> = {
      ...counting(),
      async handle(event, context) {
        if (failures-- > 0) throw new Error('read model away');
        await counting().handle(event, context);
      },
    };
    const errors: unknown[] = [];
    const projector = new Projector({
      store,
      readModels,
      projection: flaky,
      retryMs: 5,
      onError: (e) => errors.push(e),
    });
    await store.appendToStream(stream, [newEvent('Counted')], 'no_stream');
    projector.start();
    expect(await checkpointReached(readModels, 'counters', 1, { timeoutMs: 5_000, intervalMs: 5 })).toBe(true);
    await projector.stop();
    expect(errors).toHaveLength(1);
    expect(await countOf(readModels, stream)).toBe(1);
  });
});
