import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { investigationStreamId } from '#investigations';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';
import { createScratchDatabase, type ScratchDatabase } from '../../../../test/support/postgres-faults.js';
import { openSse } from '../../../../test/support/sse-client.js';

/** A row as an older release wrote it: JSON data and metadata, no schema version. */
interface Row {
  readonly revision: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

const OWNER = 'ana';
const AT = '2026-01-10T10:00:00.000Z';

/** A finished investigation whose progress events are ProgressReported version 1 (`lastPage`). */
function versionOneHistory(investigationId: string): Row[] {
  const progress = (page: number, lastPage: boolean) => ({
    page,
    progress: lastPage ? 85 : 45,
    currentPhase: 'analyzing_contracts',
    recordsProcessed: page * 150,
    anomaliesDetected: 0,
    totalEstimate: 300,
    lastPage,
    at: AT,
  });
  return [
    {
      revision: 1,
      type: 'InvestigationStarted',
      data: {
        investigationId,
        query: 'contratos de saúde',
        dataSource: 'synthetic',
        filters: {},
        anomalyTypes: [],
        startedAt: AT,
      },
    },
    { revision: 2, type: 'PhaseStarted', data: { phase: 'analyzing_contracts', previousPhase: null, at: AT } },
    { revision: 3, type: 'ProgressReported', data: progress(1, false) },
    { revision: 4, type: 'ProgressReported', data: progress(2, true) },
    {
      revision: 5,
      type: 'InvestigationCompleted',
      data: { totalAnomalies: 0, recordsProcessed: 300, executionSeconds: 12.5, completedAt: AT },
    },
  ];
}

const metadataOf = () => ({
  eventId: randomUUID(),
  commandId: 'older-release',
  correlationId: 'older-release',
  userId: OWNER,
  occurredAt: AT,
});

interface StoreUnderTest {
  readonly env: Record<string, string>;
  insert(streamId: string, rows: readonly Row[]): Promise<void>;
  dispose(): Promise<void>;
}

async function sqliteStore(): Promise<StoreUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cidadao-versions-'));
  return {
    env: { DATA_DIR: dataDir },
    insert: async (streamId, rows) => {
      const db = new Database(join(dataDir, 'events.sqlite'));
      try {
        const insert = db.prepare(
          'INSERT INTO events (stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?)',
        );
        for (const row of rows)
          insert.run(streamId, row.revision, row.type, JSON.stringify(row.data), JSON.stringify(metadataOf()));
      } finally {
        db.close();
      }
    },
    dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function postgresStore(): Promise<StoreUnderTest> {
  const database: ScratchDatabase = await createScratchDatabase('stored_versions');
  const schema = 'cidadao';
  return {
    env: { EVENT_STORE: 'postgres', DATABASE_URL: database.url, DATABASE_SCHEMA: schema },
    insert: async (streamId, rows) => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        for (const row of rows)
          await client.query(
            `INSERT INTO ${pg.escapeIdentifier(schema)}.events (stream_id, revision, type, data, metadata) VALUES ($1, $2, $3, $4, $5)`,
            [streamId, row.revision, row.type, JSON.stringify(row.data), JSON.stringify(metadataOf())],
          );
      } finally {
        await client.end();
      }
    },
    dispose: () => database.drop(),
  };
}

describe.each([
  ['SQLite', sqliteStore],
  ['PostgreSQL', postgresStore],
])('events stored before ProgressReported version 2, in %s', (_name, open) => {
  let store: StoreUnderTest;
  let app: EmbeddedApp;
  let auth: Record<string, string>;
  const investigationId = randomUUID();

  beforeAll(async () => {
    store = await open();
    app = await startEmbeddedApp(store.env, { workers: false });
    auth = { Authorization: `Bearer ${await app.token(OWNER, 'analyst')}` };
    await store.insert(investigationStreamId(investigationId), versionOneHistory(investigationId));
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await store?.dispose();
  });

  it('are read through the API as the current version: the summary', async () => {
    const res = await fetch(`${app.url}/api/v1/investigations/${investigationId}`, { headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      investigation_id: investigationId,
      status: 'completed',
      current_phase: 'analyzing_contracts',
      progress: 100,
      records_processed: 300,
      execution_time: '12.5s',
      last_event_id: 5,
    });
  });

  it('are read through the API as the current version: the stream, to its end', async () => {
    const sse = await openSse(`${app.url}/api/v1/investigations/stream/${investigationId}`, { headers: auth });
    expect(sse.status).toBe(200);
    const frames = await sse.done;
    expect(frames.map((f) => [Number(f.id), f.data.type])).toEqual([
      [1, 'progress'],
      [2, 'phase'],
      [3, 'progress'],
      [4, 'progress'],
      [5, 'complete'],
    ]);
    expect(frames.slice(2, 4).map((f) => [f.data.progress, f.data.records_processed])).toEqual([
      [45, 150],
      [85, 300],
    ]);
  });
});
