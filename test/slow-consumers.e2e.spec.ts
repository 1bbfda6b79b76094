import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { investigationStreamId } from '#investigations';
import { PostgresEventStore, signToken } from '#platform';
import type { NewEvent } from '#eventsourcing';
import { DATABASE_URL, distributedDeployment, type DistributedDeployment } from './support/distributed-deployment.js';
import { startNode, type RunningProcess } from './support/node-process.js';
import { progressReported } from './support/investigation-events.js';
import { openRawSse } from './support/raw-sse-client.js';
import { stalledHttp, stalledWebSocket, type StalledClient } from './support/stalled-clients.js';
import { waitUntil } from './support/wait-until.js';

/** Events in the investigation's history before the clients connect. */
const HISTORY = 300_000;
/** Events appended while the stalled clients hold their connections: the live path. */
const LIVE = 20_000;
/**
 * How much the server's RSS may grow, whatever its 30 stalled clients: their socket buffers
 * (SSE_BUFFER_SIZE 64 KiB, WEBSOCKET_BUFFER_SIZE 128 KiB), zlib's state and one page read
 * from the store each. Reading the history into memory per client would take gigabytes.
 */
const RSS_GROWTH_BOUND_MB = 100;
/** The server's V8 heap limit: a server that kept what it should not would die of it. */
const HEAP_MB = 128;

const OWNER = 'ana';
let deployment: DistributedDeployment;
let store: PostgresEventStore;
let api: RunningProcess;
let baseUrl = '';
let token = '';
const investigationId = randomUUID();

const rssMb = (pid: number): number => {
  const line =
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:')) ?? '0';
  return Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024;
};

/** The history, written in one statement: ~100 bytes of data per progress event, like the real ones. */
async function seedHistory(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const table = `${pg.escapeIdentifier(deployment.schema)}.events`;
    const metadata = `jsonb_build_object('eventId', gen_random_uuid()::text, 'commandId', 'seed', 'correlationId', 'seed', 'userId', '${OWNER}', 'occurredAt', '2026-01-01T00:00:00.000Z')`;
    const started = {
      investigationId,
      query: 'contratos de saúde',
      dataSource: 'synthetic',
      filters: {},
      anomalyTypes: [],
      startedAt: '2026-01-01T00:00:00.000Z',
    };
    await client.query(
      `INSERT INTO ${table} (stream_id, revision, type, data, metadata) VALUES ($1, 1, 'InvestigationStarted', $2::jsonb, ${metadata})`,
      [investigationStreamId(investigationId), JSON.stringify(started)],
    );
    await client.query(
      `INSERT INTO ${table} (stream_id, revision, type, data, metadata)
       SELECT $1, g, 'ProgressReported',
         jsonb_build_object('page', g, 'progress', 50, 'currentPhase', 'analyzing_contracts', 'recordsProcessed', g * 100,
           'anomaliesDetected', 0, 'totalEstimate', null, 'lastPage', false, 'at', '2026-01-01T00:00:00.000Z'),
         ${metadata}
       FROM generate_series(2, $2::int) AS g`,
      [investigationStreamId(investigationId), HISTORY],
    );
  } finally {
    await client.end();
  }
}

const progress = (n: number): NewEvent => progressReported(n, OWNER);

beforeAll(async () => {
  deployment = distributedDeployment('slow', {
    STREAM_IDLE_TIMEOUT: '0',
    MAX_STREAMS_PER_IP: '1000',
    MAX_STREAMS_PER_USER: '1000',
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_PER_MINUTE_IP: '0',
  });
  store = await PostgresEventStore.open({ connectionString: DATABASE_URL, schema: deployment.schema });
  await seedHistory();
  token = await signToken({ secret: deployment.jwtSecret, subject: OWNER, roles: ['analyst'], ttlSeconds: 3600 });
  // A capped heap makes retained memory fatal and keeps garbage from passing for growth.
  api = startNode('dist/apps/api/src/main.js', { ...deployment.env, NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` });
  baseUrl = String((await api.waitForLog((l) => l.msg === 'api listening')).url);
}, 120_000);

afterAll(async () => {
  await api?.stop('SIGKILL');
  await store?.close();
  await deployment?.dispose();
});

describe('slow consumers on a 300,000-event investigation', () => {
  it('cost the server a bounded amount of memory on every transport, and lose nothing', async () => {
    const pid = api.child.pid ?? 0;
    const auth = { Authorization: `Bearer ${token}` };
    const ws = baseUrl.replace(/^http/, 'ws');
    // Warm up what every stream touches once (JIT, pools), then take the baseline.
    expect(
      (
        await (
          await openRawSse(
            `${baseUrl}/api/v1/investigations/stream/${investigationId}?last_event_id=${HISTORY - 5}`,
            auth,
          )
        ).next()
      ).id,
    ).toBe(String(HISTORY - 4));
    const baseline = rssMb(pid);

    const stalled: StalledClient[] = [];
    const path = `/api/v1/investigations/stream/${investigationId}`;
    for (let i = 0; i < 5; i++) {
      stalled.push(await stalledHttp(baseUrl, path, auth));
      stalled.push(await stalledHttp(baseUrl, path, { ...auth, 'Accept-Encoding': 'gzip' }));
      stalled.push(
        await stalledHttp(baseUrl, `/api/v1/investigations/${investigationId}/replay?speed=1000`, {
          ...auth,
          'Accept-Encoding': i % 2 ? 'gzip' : 'identity',
        }),
      );
      stalled.push(
        await stalledHttp(
          baseUrl,
          `/api/v1/investigations/${investigationId}/events?format=${i % 2 ? 'json' : 'ndjson'}`,
          auth,
        ),
      );
      stalled.push(await stalledWebSocket(`${ws}/api/v1/ws/investigations/${investigationId}?token=${token}`));
      const handshake = `40/investigations,${JSON.stringify({ token, investigationId })}`;
      stalled.push(
        await stalledWebSocket(`${ws}/socket.io/?EIO=4&transport=websocket`, [handshake], (text) =>
          text.startsWith('40/investigations'),
        ),
      );
    }

    let peak = rssMb(pid);
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);
    try {
      // Live events while nobody reads: they must wait in the store, not in the server.
      for (let n = 0; n < LIVE; n += 500) {
        await store.appendToStream(
          investigationStreamId(investigationId),
          Array.from({ length: 500 }, (_, i) => progress(HISTORY + n + i + 1)),
          'any',
        );
      }
      // Every stalled stream has filled what it may hold once the peak stops rising.
      let plateau = { peak, since: Date.now() };
      await waitUntil(
        () => {
          if (peak > plateau.peak + 1) plateau = { peak, since: Date.now() };
          return Date.now() - plateau.since > 3_000 ? true : undefined;
        },
        'the server memory to stop growing',
        60_000,
      );

      // A reader that takes its time still gets every event, in order, none twice.
      const reader = await openRawSse(`${baseUrl}${path}?last_event_id=${HISTORY - 1000}`, auth);
      for (let expected = HISTORY - 999; expected <= HISTORY + LIVE; expected++) {
        const frame = await reader.next();
        if (frame.id !== String(expected)) throw new Error(`expected event ${expected}, got ${String(frame.id)}`);
      }
      reader.close();
      expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
      expect(api.child.exitCode).toBeNull();
    } finally {
      clearInterval(sampler);
      for (const client of stalled) client.close();
    }
    const growth = peak - baseline;
    process.stdout.write(
      `slow consumers: baseline ${baseline.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, growth ${growth.toFixed(0)} MB with ${stalled.length} stalled clients\n`,
    );
    expect(growth).toBeLessThan(RSS_GROWTH_BOUND_MB);
  }, 240_000);
});
