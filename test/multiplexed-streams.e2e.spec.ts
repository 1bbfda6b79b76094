import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signToken, type Role } from '#platform';
import { startApiProcess, type ApiProcess } from './support/api-process.js';
import {
  asOwnEvents,
  completedOn,
  ofStream,
  ownInvestigationEvents,
  positionOf,
} from './support/multiplexed-frames.js';
import { openSse, type SseFrame, type SseSession } from './support/sse-client.js';
import { waitUntil } from './support/wait-until.js';
import { startInvestigationAt } from './support/start-investigation.js';

/** GET /api/v1/streams against the built API: several streams on one SSE connection, resumed by one cursor. */
const SECRET = 'multiplexed-streams-secret-0123456789';
const MAX_STREAMS = 3;
let api: ApiProcess;
const tokens = new Map<string, string>();

beforeAll(async () => {
  api = await startApiProcess({
    JWT_SECRET: SECRET,
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_PER_MINUTE_IP: '0',
    SYNTHETIC_CONTRACTS: '3000',
    INVESTIGATION_PAGE_SIZE: '100',
    INVESTIGATION_STEP_DELAY_MS: '40',
    SSE_MAX_STREAMS_PER_CONNECTION: String(MAX_STREAMS),
  });
  for (const [sub, role] of [
    ['ana', 'analyst'],
    ['bob', 'analyst'],
    ['vera', 'viewer'],
  ] as const)
    tokens.set(sub, await signToken({ secret: SECRET, subject: sub, roles: [role as Role], ttlSeconds: 600 }));
}, 60_000);

afterAll(async () => {
  await api?.dispose();
});

const auth = (user: string): Record<string, string> => ({ Authorization: `Bearer ${tokens.get(user) ?? ''}` });

const startInvestigation = (user: string): Promise<string> =>
  startInvestigationAt(api.url, { headers: auth(user), query: 'Contratos de saúde acima de R$ 1 milhão' });

function openStreams(user: string, subscribe: string[], frames: SseFrame[], cursor?: string): Promise<SseSession> {
  const headers = { ...auth(user), ...(cursor === undefined ? {} : { 'Last-Event-ID': cursor }) };
  return openSse(`${api.url}/api/v1/streams?subscribe=${subscribe.join(',')}`, { headers }, (f) => frames.push(f));
}

const finished = completedOn;

async function post(
  user: string,
  url: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api.url}${url}`, {
    method: 'POST',
    headers: { ...auth(user), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('GET /api/v1/streams', () => {
  it('carries three streams, each event named, and resumes all of them after a cut with nothing lost or twice', async () => {
    const [a, b] = [await startInvestigation('ana'), await startInvestigation('ana')];
    const streams = [`investigation:${a}`, `investigation:${b}`, 'investigations'];
    const first: SseFrame[] = [];
    const before = await openStreams('ana', streams, first);
    expect(before.status).toBe(200);
    expect(before.headers.get('content-type')).toContain('text/event-stream');
    const control = before.headers.get('x-stream-control');
    await before.waitFor(12);
    before.close();
    const [opening] = first;
    expect(opening?.data).toEqual({
      type: 'subscriptions',
      connection_id: expect.any(String),
      control_url: control,
      streams,
    });
    const cut = first.at(-1)?.id;
    if (!cut) throw new Error('no cursor before the cut');

    const second: SseFrame[] = [];
    const after = await openStreams('ana', streams, second, cut);
    await waitUntil(
      () =>
        finished([...first, ...second], streams[0] ?? '') && finished([...first, ...second], streams[1] ?? '')
          ? true
          : undefined,
      'both investigations to complete on the multiplexed stream',
      120_000,
    );
    const listed = (id: string) =>
      ofStream(second, 'investigations').some((f) => f.data.investigation_id === id && f.data.status === 'completed');
    await waitUntil(() => (listed(a) && listed(b) ? true : undefined), 'the list to show both completed', 30_000);
    after.close();

    // The cut came mid-run: both investigations went on after it.
    expect(ofStream(second, streams[0] ?? '').length).toBeGreaterThan(0);
    expect(ofStream(second, streams[1] ?? '').length).toBeGreaterThan(0);
    const all = [...first, ...second];
    for (const [index, id] of [a, b].entries()) {
      const name = streams[index] ?? '';
      const own = await ownInvestigationEvents(api.url, id, auth('ana'));
      const carried = asOwnEvents(all, name);
      expect(carried).toEqual(own);
    }
    const listPositions = ofStream(all, 'investigations').map(positionOf);
    expect(listPositions.length).toBeGreaterThan(0);
    expect(listPositions).toEqual([...new Set(listPositions)].sort((x, y) => x - y));
    // Every event but the connection's own names its stream.
    expect(all.filter((f) => f.data.stream === undefined).map((f) => f.data.type)).toEqual([
      'subscriptions',
      'subscriptions',
    ]);
  }, 180_000);

  it('adds and removes streams through the control URL, for the connection owner only', async () => {
    const c = await startInvestigation('ana');
    const name = `investigation:${c}`;
    const frames: SseFrame[] = [];
    const session = await openStreams('ana', ['investigations'], frames);
    const [opening] = await session.waitFor(1);
    const controlUrl = String(opening?.data.control_url);

    expect(await post('bob', controlUrl, { subscribe: [name] })).toMatchObject({
      status: 403,
      body: { error_code: 'FORBIDDEN' },
    });
    expect(await post('ana', controlUrl, { subscribe: ['nonsense'] })).toMatchObject({
      status: 400,
      body: { error_code: 'UNKNOWN_STREAM' },
    });
    expect(await post('ana', controlUrl, { subscribe: [], unsubscribe: [] })).toMatchObject({ status: 400 });
    expect(await post('ana', controlUrl, { subscribe: ['investigation:no-such-investigation'] })).toMatchObject({
      status: 404,
      body: { error_code: 'INVESTIGATION_NOT_FOUND' },
    });
    expect(await post('ana', '/api/v1/streams/unknown-connection', { subscribe: [name] })).toMatchObject({
      status: 404,
      body: { error_code: 'CONNECTION_NOT_FOUND' },
    });

    const added = await post('ana', controlUrl, { subscribe: [name] });
    expect(added).toEqual({
      status: 200,
      body: { connection_id: opening?.data.connection_id, control_url: controlUrl, streams: ['investigations', name] },
    });
    await waitUntil(() => (ofStream(frames, name).length >= 3 ? true : undefined), `events of ${name}`, 60_000);

    const removed = await post('ana', controlUrl, { unsubscribe: [name] });
    expect(removed.body.streams).toEqual(['investigations']);
    const announced = await waitUntil(() => {
      const index = frames.findIndex(
        (f, i) => i > 0 && f.data.type === 'subscriptions' && String(f.data.streams) === 'investigations',
      );
      return index > 0 ? index : undefined;
    }, 'the subscriptions event after the removal');
    await waitUntil(
      () =>
        ofStream(frames, 'investigations').some((f) => f.data.investigation_id === c && f.data.status === 'completed')
          ? true
          : undefined,
      `the list to show ${c} completed`,
      120_000,
    );
    session.close();
    expect(ofStream(frames.slice(announced), name)).toEqual([]);
    expect(finished(frames, name)).toBe(false);
  }, 180_000);

  it('refuses bad requests before the stream opens, with a JSON error that says why', async () => {
    const mine = await startInvestigation('ana');
    const cases: Array<[string, string, Record<string, string>, number, string]> = [
      ['no list', '', {}, 400, 'VALIDATION_ERROR'],
      ['an unknown stream', '?subscribe=investigation:x,weather', {}, 400, 'UNKNOWN_STREAM'],
      ['a bad cursor', `?subscribe=investigation:${mine}`, { 'Last-Event-ID': '17' }, 400, 'INVALID_CURSOR'],
      ['a bad cursor in the query', `?subscribe=investigation:${mine}&last_event_id=%25%25`, {}, 400, 'INVALID_CURSOR'],
      [
        'too many streams',
        '?subscribe=investigation:a,investigation:b,investigation:c,investigations',
        {},
        400,
        'TOO_MANY_STREAMS',
      ],
      ['a missing investigation', '?subscribe=investigation:no-such-one', {}, 404, 'INVESTIGATION_NOT_FOUND'],
      ['a missing chat session', '?subscribe=chat:no-such-session', {}, 404, 'SESSION_NOT_FOUND'],
    ];
    for (const [what, query, headers, status, code] of cases) {
      const res = await fetch(`${api.url}/api/v1/streams${query}`, { headers: { ...auth('ana'), ...headers } });
      const body = (await res.json()) as { error_code: string; message: string };
      expect({ what, status: res.status, code: body.error_code }).toEqual({ what, status, code });
      expect(body.message.length).toBeGreaterThan(10);
    }
    const other = await fetch(`${api.url}/api/v1/streams?subscribe=investigation:${mine}`, { headers: auth('bob') });
    expect(other.status).toBe(404);
    const viewer = await fetch(`${api.url}/api/v1/streams?subscribe=events`, { headers: auth('vera') });
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as { message: string }).message).toBe(
      'stream events: audit:export is not granted to viewer',
    );
  }, 60_000);
});
