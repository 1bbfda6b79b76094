import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { InvestigationStarted, ProgressReported } from '#investigations';
import { investigationEventCatalog, investigationStreamId } from '#investigations';
import { ANONYMOUS_PRINCIPAL, createRuntime, loadSections, newId, silentLogger, type Runtime } from '#platform';
import type { EventMetadata, NewEvent } from '#eventsourcing';
import { startApi, type ApiServer } from '../../apps/api/src/bootstrap.js';
import { targetOf, type AppendPlan, type AppendReport } from './append-plan.js';
import { monotonicMs, paced, wallClockIso } from './clock.js';

export type StoreKind = 'sqlite' | 'postgres';

export interface BenchApiOptions {
  readonly store: StoreKind;
  /** Used when store is postgres; each run gets its own schema, dropped on close. */
  readonly databaseUrl: string;
}

/** The API as a user's process assembles it (createRuntime + startApi), plus the bench's appender. */
export interface BenchApi {
  readonly url: string;
  createInvestigations(investigationIds: readonly string[]): Promise<void>;
  appendProgress(plan: AppendPlan): Promise<AppendReport>;
  close(): Promise<void>;
}

/**
 * An embedded server without JWT settings serves the local anonymous analyst, who may watch
 * only investigations it owns: the events say it started them, as they would after its POST.
 */
const USER_ID = ANONYMOUS_PRINCIPAL.id;

function metadata(occurredAt: string): EventMetadata {
  return { eventId: newId(), commandId: newId(), correlationId: newId(), userId: USER_ID, occurredAt };
}

function startedEvent(investigationId: string): NewEvent<'InvestigationStarted', InvestigationStarted['data']> {
  const at = wallClockIso();
  return {
    type: 'InvestigationStarted',
    data: {
      investigationId,
      query: 'bench: SSE delivery latency',
      dataSource: 'synthetic',
      filters: {},
      anomalyTypes: [],
      startedAt: at,
    },
    metadata: metadata(at),
  };
}

/** `at` and `occurredAt` carry the append instant; the latency itself is keyed by revision (SSE id). */
function progressEvent(page: number, at: string): NewEvent<'ProgressReported', ProgressReported['data']> {
  const data = {
    page,
    progress: 50,
    currentPhase: 'analyzing_contracts',
    recordsProcessed: page * 100,
    anomaliesDetected: 0,
    totalEstimate: null,
    sourceExhausted: false,
    at,
  } as const;
  return investigationEventCatalog.encode({ type: 'ProgressReported', data }, metadata(at));
}

/** Samples RSS while appending: the peak is what a capacity plan needs, not the last value. */
function rssSampler(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

async function appendPaced(runtime: Runtime, plan: AppendPlan): Promise<AppendReport> {
  const appendedAtMs = new Float64Array(plan.events);
  const streamIds = plan.investigationIds.map(investigationStreamId);
  let appendErrors = 0;
  const rss = rssSampler();
  const cpuBefore = process.cpuUsage();
  const start = monotonicMs();
  await paced(plan.events, plan.ratePerSecond, async (index) => {
    const { stream, revision } = targetOf(index, plan);
    appendedAtMs[index] = monotonicMs();
    const event = progressEvent(revision - 1, wallClockIso());
    // The expected revision makes a lost or reordered append show up as an error, not as skewed figures.
    await runtime.store.appendToStream(streamIds[stream], [event], revision - 1).catch(() => appendErrors++);
  });
  const wallMs = monotonicMs() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return { appendedAtMs, appendErrors, peakRssBytes: rss.stop(), cpuMs: (cpu.user + cpu.system) / 1000, wallMs };
}

/**
 * Defaults everywhere except the per-address budgets: all 1,000 subscribers share
 * 127.0.0.1, which a real deployment's dashboards would not, and the budgets (600 requests
 * a minute, 100 open streams) would turn the benchmark into a measure of refusals.
 */
export const SETTING_OVERRIDES: Readonly<Record<string, string>> = {
  RATE_LIMIT_PER_MINUTE_IP: '0',
  MAX_STREAMS_PER_IP: '100000',
  MAX_CONCURRENT_STREAMS: '100000',
};

function runSettings(options: BenchApiOptions, dataDir: string, schema: string): Record<string, string> {
  const common = { ...SETTING_OVERRIDES, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' };
  if (options.store === 'sqlite') return { ...common, EVENT_STORE: 'sqlite' };
  return { ...common, EVENT_STORE: 'postgres', DATABASE_URL: options.databaseUrl, DATABASE_SCHEMA: schema };
}

async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Starts the API on 127.0.0.1 with a free port; no workers, since the bench appends itself. */
export async function startBenchApi(options: BenchApiOptions): Promise<BenchApi> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cidadao-bench-sse-'));
  const schema = `bench_sse_${process.pid}_${Date.now()}`;
  const cleanUp = async (): Promise<void> => {
    rmSync(dataDir, { recursive: true, force: true });
    if (options.store === 'postgres') await dropSchema(options.databaseUrl, schema);
  };
  let runtime: Runtime | null = null;
  let api: ApiServer;
  try {
    const settings = loadSections(runSettings(options, dataDir, schema));
    runtime = await createRuntime(settings, silentLogger);
    api = await startApi(runtime, settings.process.port, settings.process.host);
  } catch (error) {
    // A failed start must not leave its temp dir or schema behind, whatever else fails here.
    await runtime?.close().catch(() => undefined);
    await cleanUp().catch(() => undefined);
    throw error;
  }
  const ready = runtime;
  return {
    url: api.url,
    createInvestigations: async (ids) => {
      for (const id of ids)
        await ready.store.appendToStream(investigationStreamId(id), [startedEvent(id)], 'no_stream');
    },
    appendProgress: (plan) => appendPaced(ready, plan),
    close: async () => {
      try {
        await api.close();
        await ready.close();
      } finally {
        await cleanUp();
      }
    },
  };
}
