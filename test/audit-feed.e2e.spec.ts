import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { openSse, type SseSession } from './support/sse-client.js';

let app: EmbeddedApp;
const bearer = async (sub: string, roles: Parameters<EmbeddedApp['token']>[1]) => ({
  Authorization: `Bearer ${await app.token(sub, roles)}`,
});

/** Starts an investigation and resolves once its own stream ended (it is terminal). */
async function runInvestigation(query: string): Promise<string> {
  const headers = await bearer('feeder', 'analyst');
  const res = await fetch(`${app.url}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const { investigation_id } = (await res.json()) as { investigation_id: string };
  await (
    await openSse(`${app.url}/api/v1/investigations/stream/${investigation_id}`, { headers })
  ).done;
  return investigation_id;
}

const storedPositions = async (after = 0) =>
  (await app.runtime.store.readAll({ after })).map((e) => String(e.position));

async function openFeed(query = '', headers: Record<string, string> = {}): Promise<SseSession> {
  return openSse(`${app.url}/api/v1/events/stream${query}`, {
    headers: { ...(await bearer('consumer', 'auditor')), ...headers },
  });
}

beforeAll(async () => {
  app = await startEmbeddedApp({ AUTH_REQUIRED: 'true' });
  await runInvestigation('Contratos de obras em 2024');
}, 30_000);

afterAll(async () => {
  await app?.stop();
});

describe('downstream event feed over SSE', () => {
  it('sends history then live events as CloudEvents, ids = global positions, no gap and no duplicate', async () => {
    const feed = await openFeed();
    expect(feed.status).toBe(200);
    const liveId = await runInvestigation('Contratos de limpeza urbana');
    const positions = await storedPositions();
    const frames = await feed.waitFor(positions.length);
    feed.close();
    expect(frames.map((f) => f.id)).toEqual(positions);
    const last = frames.at(-1)?.data;
    expect(last).toMatchObject({
      specversion: '1.0',
      type: 'br.gov.cidadao-ai.investigation.InvestigationCompleted',
      source: '/cidadao-ai/investigation',
      subject: `investigation-${liveId}`,
      datacontenttype: 'application/json',
    });
    expect(new Set(frames.map((f) => f.data.id)).size).toBe(frames.length);
  });

  it('resumes after Last-Event-ID with exactly the events that followed it', async () => {
    const all = await storedPositions();
    const middle = all[Math.floor(all.length / 2)] ?? '0';
    const expected = await storedPositions(Number(middle));
    const feed = await openFeed('', { 'Last-Event-ID': middle });
    const frames = await feed.waitFor(expected.length);
    feed.close();
    expect(frames.map((f) => f.id)).toEqual(expected);
  });

  it('filters by category and event type', async () => {
    const events = await app.runtime.store.readAll();
    const starts = events
      .filter((e) => e.type === 'InvestigationStarted' || e.type === 'InvestigationCompleted')
      .map((e) => String(e.position));
    const feed = await openFeed('?category=investigation&type=InvestigationStarted,InvestigationCompleted');
    const frames = await feed.waitFor(starts.length);
    feed.close();
    expect(frames.map((f) => f.id)).toEqual(starts);
    const none = await openFeed('?category=chat&last_event_id=' + String(events.at(-1)?.position ?? 0));
    expect(none.status).toBe(200);
    none.close();
  });

  it('is for auditors, and names a bad filter or resume id', async () => {
    const analyst = await fetch(`${app.url}/api/v1/events/stream`, { headers: await bearer('feeder', 'analyst') });
    expect(analyst.status).toBe(403);
    const headers = await bearer('consumer', 'auditor');
    for (const [query, name] of [
      ['?type=a.b', 'type'],
      ['?category=x y', 'category'],
      ['?last_event_id=-4', 'last_event_id'],
    ]) {
      const res = await fetch(`${app.url}/api/v1/events/stream${query}`, { headers });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain(name);
    }
  });
});
