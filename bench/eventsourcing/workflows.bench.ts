/**
 * The workflow hosts of the workers, on SQLite (embedded): how fast the investigation-run and
 * chat-investigation-following hosts take in a store's events (events/s) and how many
 * commands they hand their outbox. `npm run bench:workflows`; WORKFLOW_BENCH_INVESTIGATIONS
 * changes 200, WORKFLOW_BENCH_PAGES the progress events per investigation (50); half the
 * investigations are linked from a chat message.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chatInvestigationFollowingWorkflow, chatStreamId } from '#chat';
import { WorkflowHost, type NewEvent, type Workflow, type WorkflowCommand } from '#eventsourcing';
import { investigationRunWorkflow, investigationStreamId } from '#investigations';
import { SqliteEventStore, SqliteReadModelStore } from '#platform';
import { benchEvent } from '../support/bench-event.js';

const INVESTIGATIONS = Number(process.env.WORKFLOW_BENCH_INVESTIGATIONS ?? 200);
const PAGES = Number(process.env.WORKFLOW_BENCH_PAGES ?? 50);
const AT = new Date(Date.UTC(2026, 0, 1)).toISOString();

const event = (type: string, data: unknown): NewEvent => benchEvent(type, data, { userId: 'u', occurredAt: AT });

function investigationEvents(investigationId: string): NewEvent[] {
  const start = { investigationId, query: 'saúde', dataSource: 'synthetic', filters: {}, anomalyTypes: [] };
  const events = [event('InvestigationStarted', { ...start, startedAt: AT })];
  for (let page = 1; page <= PAGES; page++) {
    const progress = { page, progress: page, currentPhase: 'analyzing_contracts', recordsProcessed: page * 100 };
    events.push(
      event('ProgressReported', { ...progress, anomaliesDetected: 0, totalEstimate: null, lastPage: false, at: AT }),
    );
  }
  const done = { totalAnomalies: 0, recordsProcessed: PAGES * 100, executionSeconds: 1, completedAt: AT };
  return [...events, event('InvestigationCompleted', done)];
}

async function measure<I, S, O extends WorkflowCommand>(
  workflow: Workflow<I, S, O>,
  store: SqliteEventStore,
  dir: string,
): Promise<void> {
  const readModels = new SqliteReadModelStore(join(dir, `${workflow.name}.sqlite`));
  let sent = 0;
  const host = new WorkflowHost({ store, readModels, workflow, outbox: { send: async () => void sent++ } });
  const began = performance.now();
  const position = await host.catchUp();
  const seconds = (performance.now() - began) / 1000;
  console.log(
    `${workflow.name.padEnd(30)} ${position} events in ${seconds.toFixed(2)} s: ${Math.round(position / seconds)} events/s, ${sent} commands`,
  );
  await readModels.close();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'workflows-bench-'));
  const store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
  try {
    for (let index = 0; index < INVESTIGATIONS; index++) {
      const investigationId = randomUUID();
      if (index % 2 === 0) {
        const link = { messageId: randomUUID(), investigationId, at: AT };
        await store.appendToStream(chatStreamId(randomUUID()), [event('InvestigationLinked', link)], 'any');
      }
      await store.appendToStream(
        investigationStreamId(investigationId),
        investigationEvents(investigationId),
        'no_stream',
      );
    }
    console.log(`${INVESTIGATIONS} investigations × ${PAGES + 2} events, half linked from a chat (SQLite)`);
    await measure(investigationRunWorkflow, store, dir);
    await measure(chatInvestigationFollowingWorkflow, store, dir);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
