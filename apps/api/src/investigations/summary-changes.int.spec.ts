import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import { LiveFeed, type EventStore, type ReadModelStore, type StoredDocument } from '#eventsourcing';
import { investigationEventCatalog, investigationStreamId, type InvestigationSummary } from '#investigations';
import { createReadModelStore, loadSections, openEventStore, silentLogger } from '#platform';
import { runProjectors, type RunningProjectors } from '#workers';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { SummaryChanges } from './summary-changes.js';

const SUBSCRIBERS = 10;

let dataDir: string;
let store: EventStore;
let readModels: ReadModelStore;
let feed: LiveFeed;
let projectors: RunningProjectors;
/** Reads of the summaries' changes, by anyone: the real store, counted on the way through. */
let reads = 0;
let counted: ReadModelStore;

async function start(owner: string): Promise<string> {
  const id = randomUUID();
  const at = new Date().toISOString();
  const metadata = { eventId: randomUUID(), commandId: id, correlationId: id, userId: owner, occurredAt: at };
  const data = {
    investigationId: id,
    query: 'contratos',
    dataSource: 'synthetic',
    filters: {},
    anomalyTypes: [],
    startedAt: at,
  };
  await store.appendToStream(
    investigationStreamId(id),
    [investigationEventCatalog.encode({ type: 'InvestigationStarted', data }, metadata)],
    'no_stream',
  );
  return id;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cidadao-summary-changes-'));
  const { storage } = loadSections({ DATA_DIR: dataDir });
  store = await openEventStore(storage, silentLogger);
  readModels = await createReadModelStore(storage, silentLogger);
  counted = new Proxy(readModels, {
    get: (target, property, receiver) => {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property !== 'changes') return value.bind(target);
      return (...args: unknown[]) => {
        reads += 1;
        return value.apply(target, args);
      };
    },
  });
  feed = new LiveFeed(store);
  await feed.start();
  projectors = runProjectors({ store, readModels, logger: silentLogger });
});

afterAll(async () => {
  await projectors.stop();
  feed.close();
  await readModels.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the summaries changes of one process', () => {
  it('reads each change once for every subscriber, and hands it to each', async () => {
    const changes = new SummaryChanges({ readModels: counted }, feed);
    const seen: StoredDocument<InvestigationSummary>[][] = Array.from({ length: SUBSCRIBERS }, () => []);
    const subscriptions: Subscription[] = seen.map((documents) =>
      changes.after(0).subscribe((document) => documents.push(document)),
    );
    try {
      // Each subscriber's catch-up reads once; then only the shared loop reads.
      await waitUntil(() => (reads >= SUBSCRIBERS ? true : undefined), 'every subscriber caught up');
      const before = reads;
      const id = await start('ana');
      await waitUntil(
        () => (seen.every((documents) => documents.some((d) => d.id === id)) ? true : undefined),
        'the change at every subscriber',
      );
      expect(reads - before).toBeLessThanOrEqual(2);
      expect(seen.map((documents) => documents.filter((d) => d.id === id).length)).toEqual(Array(SUBSCRIBERS).fill(1));
    } finally {
      for (const subscription of subscriptions) subscription.unsubscribe();
      changes.onApplicationShutdown();
    }
  });

  it('gives a late subscriber what it missed, then what follows, without a gap or a repeat', async () => {
    const changes = new SummaryChanges({ readModels: counted }, feed);
    const early: StoredDocument<InvestigationSummary>[] = [];
    const late: StoredDocument<InvestigationSummary>[] = [];
    const first = changes.after(0).subscribe((document) => early.push(document));
    const missed = await start('bob');
    await waitUntil(() => (early.some((d) => d.id === missed) ? true : undefined), 'the first change');
    const second = changes.after(0).subscribe((document) => late.push(document));
    const next = await start('bob');
    try {
      await waitUntil(() => (late.some((d) => d.id === next) ? true : undefined), 'the next change');
      const ids = late.map((d) => d.id);
      expect(ids).toContain(missed);
      expect(new Set(ids).size).toBe(ids.length);
      expect(late.map((d) => d.position)).toEqual([...late.map((d) => d.position)].sort((a, b) => a - b));
    } finally {
      first.unsubscribe();
      second.unsubscribe();
      changes.onApplicationShutdown();
    }
  });
});
