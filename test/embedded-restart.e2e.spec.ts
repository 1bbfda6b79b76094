import { afterAll, describe, expect, it } from '@jest/globals';
import { embeddedProcesses } from './support/embedded-process.js';
import { openSse, type SseFrame } from './support/sse-client.js';

const api = embeddedProcesses('embedded-restart');
const start = (): Promise<string> => api.start();

afterAll(() => api.stop());

describe('embedded mode (npm start) killed in the middle of an investigation', () => {
  it('finishes it after the restart, every event once, from where it was', async () => {
    const first = await start();
    const res = await fetch(`${first}/api/v1/investigations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'Contratos de saúde em 2024', data_source: 'synthetic' }),
    });
    expect(res.status).toBe(202);
    const { investigation_id: id } = (await res.json()) as { investigation_id: string };
    const live = await openSse(`${first}/api/v1/investigations/stream/${id}`);
    const beforeKill = await live.waitFor(5);
    // The kill cuts the stream; the client only keeps what it got.
    live.done.catch(() => undefined);
    await api.processes[0]?.stop('SIGKILL');
    expect(beforeKill.some((f) => f.data.type === 'complete')).toBe(false);
    const lastSeen = beforeKill.at(-1)?.id ?? '0';

    const second = await start();
    // The client resumes where it was cut off, as an EventSource would.
    const resumed = await openSse(`${second}/api/v1/investigations/stream/${id}`, {
      headers: { 'Last-Event-ID': lastSeen },
    });
    const rest = await resumed.done;
    const replay = await (await openSse(`${second}/api/v1/investigations/stream/${id}`)).done;
    expect(replay.at(-1)?.data.type).toBe('complete');
    expect(replay.filter((f) => f.data.type === 'complete')).toHaveLength(1);
    // What the client saw before and after the kill is the whole stream, nothing twice.
    const seen: SseFrame[] = [...beforeKill.filter((f) => Number(f.id) <= Number(lastSeen)), ...rest];
    expect(seen.map((f) => f.id)).toEqual(replay.map((f) => f.id));
    const processed = replay
      .filter((f) => f.data.type === 'progress' && f.data.current_phase === 'analyzing_contracts')
      .map((f) => Number(f.data.records_processed));
    // Ten pages of 100 contracts, each analysed once: counts only grow.
    expect(processed).toHaveLength(10);
    for (let i = 1; i < processed.length; i++) expect(processed[i]).toBeGreaterThan(processed[i - 1] ?? 0);
    const anomalyIds = replay.filter((f) => f.data.type === 'anomaly').map((f) => f.data.anomaly_id);
    expect(new Set(anomalyIds).size).toBe(anomalyIds.length);
    const status = (await (await fetch(`${second}/api/v1/investigations/${id}`)).json()) as { status: string };
    expect(status.status).toBe('completed');
  }, 120_000);
});
