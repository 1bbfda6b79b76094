import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DocumentIndex, DocumentWrite, ReadModelStore } from '../projections/read-model.port.js';

export interface ReadModelStoreUnderTest {
  readonly readModels: ReadModelStore;
  dispose(): Promise<void>;
}

const index = (overrides: Partial<DocumentIndex> = {}): DocumentIndex => ({
  owner: 'ana',
  status: 'running',
  sortAt: '2026-01-01T00:00:00.000Z',
  search: 'contratos de saúde',
  ...overrides,
});

const write = (collection: string, id: string, position: number, overrides: Partial<DocumentIndex> = {}) =>
  ({
    collection,
    id,
    position,
    doc: { id, position, nested: { ok: true } },
    index: index(overrides),
  }) satisfies DocumentWrite;

/**
 * What every read-model adapter owes the projector and the readers. `factory` runs once per
 * test: each gets a store of its own (a fresh schema, a fresh file).
 */
export function describeReadModelStoreContract(name: string, factory: () => Promise<ReadModelStoreUnderTest>): void {
  describe(`${name} read-model store contract`, () => {
    let store: ReadModelStore;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      ({ readModels: store, dispose } = await factory());
    });
    afterEach(() => dispose());
    const names = () => ({ projection: `p-${randomUUID()}`, collection: `c-${randomUUID()}` });

    it('has no checkpoint for a projection that never committed', async () => {
      expect(await store.checkpoint(names().projection)).toBeNull();
    });

    it('writes documents and moves the checkpoint together', async () => {
      const { projection, collection } = names();
      const moved = await store.commit({ projection, version: 2, from: 0, to: 7, writes: [write(collection, 'a', 7)] });
      expect(moved).toBe(true);
      expect(await store.checkpoint(projection)).toEqual({ projection, version: 2, position: 7 });
      expect(await store.get(collection, 'a')).toEqual(write(collection, 'a', 7));
      expect(await store.get(collection, 'missing')).toBeNull();
    });

    it('refuses, writing nothing, a commit whose starting checkpoint is stale', async () => {
      const { projection, collection } = names();
      await store.commit({ projection, version: 1, from: 0, to: 3, writes: [] });
      const moved = await store.commit({ projection, version: 1, from: 0, to: 5, writes: [write(collection, 'x', 5)] });
      expect(moved).toBe(false);
      expect((await store.checkpoint(projection))?.position).toBe(3);
      expect(await store.get(collection, 'x')).toBeNull();
    });

    it('lets only one of two commits from the same checkpoint through', async () => {
      const { projection, collection } = names();
      const results = await Promise.all(
        [1, 2].map((n) =>
          store.commit({ projection, version: 1, from: 0, to: n, writes: [write(collection, `d${n}`, n)] }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.list({ collection, limit: 10 })).length).toBe(1);
    });

    it('overwrites a document with its newer version', async () => {
      const { projection, collection } = names();
      await store.commit({ projection, version: 1, from: 0, to: 1, writes: [write(collection, 'a', 1)] });
      await store.commit({
        projection,
        version: 1,
        from: 1,
        to: 2,
        writes: [write(collection, 'a', 2, { status: 'done' })],
      });
      expect(await store.get(collection, 'a')).toMatchObject({ position: 2, index: { status: 'done' } });
    });

    it('lists newest first (or oldest first), filters on every index column, and pages by cursor', async () => {
      const { projection, collection } = names();
      const at = (day: number) => `2026-02-${String(day).padStart(2, '0')}T10:00:00.000Z`;
      const writes = [
        write(collection, 'a', 1, { sortAt: at(1), owner: 'ana' }),
        write(collection, 'b', 2, { sortAt: at(2), owner: 'bia', status: 'completed', search: 'merenda escolar' }),
        write(collection, 'c', 3, { sortAt: at(3), owner: 'ana' }),
        write(collection, 'd', 4, { sortAt: at(3), owner: 'ana' }),
        write(collection, 'e', 5, { sortAt: at(5), owner: 'bia' }),
      ];
      await store.commit({ projection, version: 1, from: 0, to: 5, writes });
      const ids = async (query: object) =>
        (await store.list({ collection, limit: 10, ...query })).map((document) => document.id);
      expect(await ids({})).toEqual(['e', 'd', 'c', 'b', 'a']);
      expect(await ids({ owner: 'ana' })).toEqual(['d', 'c', 'a']);
      expect(await ids({ status: 'completed' })).toEqual(['b']);
      expect(await ids({ text: 'merenda' })).toEqual(['b']);
      expect(await ids({ since: at(2), until: at(5) })).toEqual(['d', 'c', 'b']);
      expect(await ids({ limit: 2 })).toEqual(['e', 'd']);
      expect(await ids({ limit: 2, after: { sortAt: at(3), id: 'd' } })).toEqual(['c', 'b']);
      expect(await ids({ after: { sortAt: at(1), id: 'a' } })).toEqual([]);
      expect(await ids({ order: 'oldest' })).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(await ids({ order: 'oldest', owner: 'ana', since: at(2) })).toEqual(['c', 'd']);
      expect(await ids({ order: 'oldest', limit: 2, after: { sortAt: at(3), id: 'c' } })).toEqual(['d', 'e']);
    });

    it('takes % and _ in a text filter literally', async () => {
      const { projection, collection } = names();
      await store.commit({
        projection,
        version: 1,
        from: 0,
        to: 1,
        writes: [write(collection, 'a', 1, { search: 'abc' })],
      });
      expect(await store.list({ collection, limit: 5, text: '%' })).toEqual([]);
      expect(await store.list({ collection, limit: 5, text: '_' })).toEqual([]);
    });

    it('lists the documents changed after a position in the order of their last change', async () => {
      const { projection, collection } = names();
      await store.commit({
        projection,
        version: 1,
        from: 0,
        to: 2,
        writes: [write(collection, 'a', 1), write(collection, 'b', 2)],
      });
      await store.commit({ projection, version: 1, from: 2, to: 3, writes: [write(collection, 'a', 3)] });
      const changed = await store.changes(collection, 1, 10);
      expect(changed.map((d) => [d.id, d.position])).toEqual([
        ['b', 2],
        ['a', 3],
      ]);
      expect((await store.changes(collection, 0, 1)).map((d) => d.id)).toEqual(['b']);
    });

    it('drops the collections and the checkpoint on reset, and no other collection', async () => {
      const { projection, collection } = names();
      const other = names().collection;
      await store.commit({
        projection,
        version: 1,
        from: 0,
        to: 4,
        writes: [write(collection, 'a', 4), write(other, 'z', 4)],
      });
      await store.reset(projection, [collection]);
      expect(await store.checkpoint(projection)).toBeNull();
      expect(await store.get(collection, 'a')).toBeNull();
      expect(await store.get(other, 'z')).not.toBeNull();
    });

    it('answers ping()', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
