import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { openSse, type SseFrame } from './support/sse-client.js';

let app: EmbeddedApp;
let investigationId = '';
let live: SseFrame[] = [];
const bearer = async (sub: string, roles: Parameters<EmbeddedApp['token']>[1]) => ({
  Authorization: `Bearer ${await app.token(sub, roles)}`,
});

interface HistoryItem {
  readonly id: number;
  readonly position: number;
  readonly type: string;
  readonly metadata: {
    readonly eventId: string;
    readonly userId: string;
    readonly occurredAt: string;
    readonly correlationId: string;
  };
}

beforeAll(async () => {
  app = await startEmbeddedApp({ AUTH_REQUIRED: 'true', INVESTIGATION_STEP_DELAY_MS: '5' });
  const owner = await bearer('owner', 'analyst');
  const res = await fetch(`${app.url}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...owner },
    body: JSON.stringify({ query: 'Contratos emergenciais de saúde' }),
  });
  investigationId = ((await res.json()) as { investigation_id: string }).investigation_id;
  live = await (await openSse(`${app.url}/api/v1/investigations/stream/${investigationId}`, { headers: owner })).done;
}, 30_000);

afterAll(async () => {
  await app?.stop();
});

describe('investigation history and replay', () => {
  it('returns the full event history with ids and metadata, as JSON and NDJSON', async () => {
    const headers = await bearer('owner', 'analyst');
    const json = await fetch(`${app.url}/api/v1/investigations/${investigationId}/events`, { headers });
    expect(json.status).toBe(200);
    const { events } = (await json.json()) as { events: HistoryItem[] };
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]).toMatchObject({ type: 'InvestigationStarted', metadata: { userId: 'owner' } });
    expect(events.at(-1)?.type).toBe('InvestigationCompleted');
    expect(new Set(events.map((e) => e.metadata.eventId)).size).toBe(events.length);

    const ndjson = await fetch(`${app.url}/api/v1/investigations/${investigationId}/events?format=ndjson`, { headers });
    expect(ndjson.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await ndjson.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as HistoryItem);
    expect(lines).toEqual(events);
  });

  it('shows any investigation to an auditor and none of the others to another analyst', async () => {
    const auditor = await fetch(`${app.url}/api/v1/investigations/${investigationId}/events`, {
      headers: await bearer('inspector', 'auditor'),
    });
    expect(auditor.status).toBe(200);
    const stranger = await fetch(`${app.url}/api/v1/investigations/${investigationId}/events`, {
      headers: await bearer('stranger', 'analyst'),
    });
    expect(stranger.status).toBe(404);
    const replay = await fetch(`${app.url}/api/v1/investigations/${investigationId}/replay`, {
      headers: await bearer('stranger', 'analyst'),
    });
    expect(replay.status).toBe(404);
  });

  it('replays over SSE exactly what the live stream sent, then ends', async () => {
    const session = await openSse(`${app.url}/api/v1/investigations/${investigationId}/replay?speed=1000`, {
      headers: await bearer('inspector', 'auditor'),
    });
    expect(session.status).toBe(200);
    expect(session.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const replayed = await session.done;
    expect(replayed.length).toBeGreaterThan(3);
    expect(replayed).toEqual(live);
  });

  it('refuses a speed outside (0, 1000] and an unknown format, naming the parameter', async () => {
    const headers = await bearer('owner', 'analyst');
    for (const query of ['replay?speed=0', 'replay?speed=1001', 'replay?speed=fast', 'events?format=csv']) {
      const res = await fetch(`${app.url}/api/v1/investigations/${investigationId}/${query}`, { headers });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain(
        query.startsWith('replay') ? 'speed' : 'format',
      );
    }
  });
});
