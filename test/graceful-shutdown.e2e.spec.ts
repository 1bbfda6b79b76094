import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stored } from '#eventsourcing';
import { investigationStreamId, toInvestigationWireEvent, type InvestigationEvent } from '#investigations';
import { SqliteEventStore } from '#platform';
import { startNode, type RunningProcess } from './support/node-process.js';
import { openSse } from './support/sse-client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'cidadao-shutdown-'));
const env: Record<string, string> = {
  DATA_DIR: dataDir,
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'info',
  SYNTHETIC_CONTRACTS: '5000',
  INVESTIGATION_PAGE_SIZE: '100',
  INVESTIGATION_STEP_DELAY_MS: '100',
  SHUTDOWN_TIMEOUT_MS: '10000',
};
const processes: RunningProcess[] = [];

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  rmSync(dataDir, { recursive: true, force: true });
});

async function startApiProcess(): Promise<{ proc: RunningProcess; url: string }> {
  const proc = startNode('dist/apps/api/src/main.js', env);
  processes.push(proc);
  const listening = await proc.waitForLog((l) => l.msg === 'api listening');
  return { proc, url: String(listening.url).replace('localhost', '127.0.0.1') };
}

/** Ids of the events clients see, read from the SQLite file the stopped process left. */
async function recordedWireIds(investigationId: string): Promise<string[]> {
  const store = new SqliteEventStore({ filename: join(dataDir, 'events.sqlite') });
  try {
    const events = await store.readStream(investigationStreamId(investigationId));
    return events
      .filter((e) => toInvestigationWireEvent(e as unknown as Stored<InvestigationEvent>) !== null)
      .map((e) => String(e.revision));
  } finally {
    await store.close();
  }
}

describe('graceful shutdown of the api process (embedded mode)', () => {
  it('on SIGTERM ends the streams, drains and exits 0; the next process resumes them with no gap and no duplicate', async () => {
    const first = await startApiProcess();
    const correlationId = `e2e-${randomUUID()}`;
    const res = await fetch(`${first.url}/api/v1/investigations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Correlation-ID': correlationId },
      body: JSON.stringify({ query: 'Contratos de saúde acima de R$ 1 milhão', data_source: 'synthetic' }),
    });
    expect(res.status).toBe(202);
    const { investigation_id: id, stream_url: streamPath } = (await res.json()) as {
      investigation_id: string;
      stream_url: string;
    };
    const logLine = await first.proc.waitForLog(
      (l) => l.msg === 'request completed' && l.correlation_id === correlationId,
    );
    expect(logLine).toMatchObject({
      method: 'POST',
      route: '/api/v1/investigations',
      status: 202,
      request_id: expect.any(String),
    });

    const live = await openSse(`${first.url}${streamPath}`);
    await live.waitFor(4);
    const exited = first.proc.stop('SIGTERM');
    const seen = await live.done;
    expect(await exited).toBe(0);
    await first.proc.waitForLog((l) => l.msg === 'shutdown complete');
    expect(seen.some((f) => f.data.type === 'complete')).toBe(false);

    const recorded = await recordedWireIds(id);
    const lastSeen = seen.at(-1)?.id ?? '';
    expect(seen.map((f) => f.id)).toEqual(recorded.filter((r) => Number(r) <= Number(lastSeen)));

    const second = await startApiProcess();
    const streamUrl = `${second.url}${streamPath}`;
    for (const cut of [lastSeen, seen[1]?.id ?? '']) {
      const expected = recorded.filter((r) => Number(r) > Number(cut));
      const sse = await openSse(streamUrl, { headers: { 'Last-Event-ID': cut } });
      expect(sse.status).toBe(200);
      const frames = await sse.waitFor(expected.length);
      expect({ cut, ids: frames.map((f) => f.id) }).toEqual({ cut, ids: expected });
      sse.close();
    }
    expect(await second.proc.stop('SIGTERM')).toBe(0);
  });

  it('stops on SIGTERM, exit code 0, after whoever read its logs has gone, and serves meanwhile', async () => {
    const api = await startApiProcess();
    api.proc.child.stdout?.destroy();
    api.proc.child.stderr?.destroy();
    // Requests are logged: each line now meets a closed pipe.
    for (let i = 0; i < 3; i += 1) expect((await fetch(`${api.url}/health`)).status).toBe(200);
    const exitCode = await Promise.race([
      api.proc.stop('SIGTERM'),
      new Promise<string>((resolve) => setTimeout(() => resolve('still running 20 s after SIGTERM'), 20_000).unref()),
    ]);
    expect(exitCode).toBe(0);
  });
});
