/**
 * Persistent read models against folding streams: projection throughput (a full rebuild,
 * events/s) and the cost of answering GET /api/v1/investigations/{id} and a list page, on
 * SQLite (embedded) and PostgreSQL. `npm run bench:read-models`; READ_MODEL_BENCH_INVESTIGATIONS
 * changes 200, READ_MODEL_BENCH_PAGES the progress pages per investigation (100).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Projector, readPages, type EventStore, type ReadModelStore } from '#eventsourcing';
import {
  INVESTIGATION_SUMMARIES,
  emptyInvestigationSummary,
  evolveInvestigationSummary,
  investigationStreamId,
  investigationSummariesProjection,
  readInvestigationEvent,
} from '#investigations';
import { benchInvestigation } from '../support/bench-investigation.js';
import { PostgresEventStore, PostgresReadModelStore, SqliteEventStore, SqliteReadModelStore } from '#platform';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const INVESTIGATIONS = Number(process.env.READ_MODEL_BENCH_INVESTIGATIONS ?? 200);
const PAGES = Number(process.env.READ_MODEL_BENCH_PAGES ?? 100);
const READS = 200;

async function fold(store: EventStore, id: string): Promise<number> {
  let doc = emptyInvestigationSummary(id);
  for await (const recorded of readPages(store, investigationStreamId(id))) {
    const typed = readInvestigationEvent(recorded);
    if (typed) doc = evolveInvestigationSummary(doc, typed);
  }
  return doc.last_event_id;
}

async function meanMs(times: number, run: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < times; i++) await run(i);
  return (performance.now() - started) / times;
}

async function measure(name: string, store: EventStore, readModels: ReadModelStore): Promise<void> {
  const ids = Array.from({ length: INVESTIGATIONS }, () => randomUUID());
  for (const [index, id] of ids.entries())
    await store.appendToStream(
      investigationStreamId(id),
      benchInvestigation(id, {
        pages: PAGES,
        query: `Contratos de saúde ${index}`,
        at: new Date(Date.UTC(2026, 0, 1) + index * 60_000).toISOString(),
        completed: true,
      }),
      'no_stream',
    );
  const total = await store.headPosition();
  const projector = new Projector({ store, readModels, projection: investigationSummariesProjection });
  const started = performance.now();
  await projector.rebuild();
  const seconds = (performance.now() - started) / 1000;
  const pick = (i: number) => ids[(i * 7919) % ids.length] ?? '';
  const folded = await meanMs(READS, (i) => fold(store, pick(i)));
  const projected = await meanMs(READS, (i) => readModels.get(INVESTIGATION_SUMMARIES, pick(i)));
  const listed = await meanMs(READS, () => readModels.list({ collection: INVESTIGATION_SUMMARIES, limit: 20 }));
  console.log(
    `${name.padEnd(8)} rebuild ${total} events in ${seconds.toFixed(2)} s (${Math.round(total / seconds)} events/s); ` +
      `summary of a ${PAGES + 2}-event investigation: fold ${folded.toFixed(2)} ms, read model ${projected.toFixed(3)} ms; ` +
      `list page of 20: ${listed.toFixed(3)} ms`,
  );
}

async function main(): Promise<void> {
  console.log(`${INVESTIGATIONS} investigations of ${PAGES + 2} events each, ${READS} reads per figure`);
  const dir = mkdtempSync(join(tmpdir(), 'read-models-bench-'));
  const sqliteStore = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
  const sqliteModels = new SqliteReadModelStore(join(dir, 'read-models.sqlite'));
  try {
    await measure('sqlite', sqliteStore, sqliteModels);
  } finally {
    await sqliteModels.close();
    await sqliteStore.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const schema = `rm_bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const pgStore = await PostgresEventStore.open({ connectionString: DATABASE_URL, schema });
  const pgModels = await PostgresReadModelStore.open({ connectionString: DATABASE_URL, schema });
  try {
    await measure('postgres', pgStore, pgModels);
  } finally {
    await pgModels.close();
    await pgStore.close();
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
