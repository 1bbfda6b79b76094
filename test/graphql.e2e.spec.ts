import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocket } from 'ws';
import { signToken } from '#platform';
import { startApiProcess, type ApiProcess } from './support/api-process.js';
import { closeCodeOf, postGraphql, subscribeGraphql, type GraphqlSubscription } from './support/graphql-client.js';
import { openSse } from './support/sse-client.js';
import { waitUntil } from './support/wait-until.js';
import { startInvestigationAt } from './support/start-investigation.js';

/**
 * /graphql against the compiled api process: queries over HTTP answer what the REST routes
 * answer, subscriptions over graphql-ws carry the SSE streams' events with their ids, a
 * client cut mid-stream resumes with `after` missing nothing and seeing nothing twice.
 */
const SECRET = 'graphql-e2e-secret-graphql-e2e-0123456789';
let api: ApiProcess;
let url = '';
let ana = '';
let bob = '';
let nobody = '';

beforeAll(async () => {
  api = await startApiProcess({
    JWT_SECRET: SECRET,
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_PER_MINUTE_IP: '0',
    GRAPHQL_MAX_DEPTH: '3',
    GRAPHQL_MAX_COST: '500',
    GRAPHQL_MAX_ALIASES: '5',
    SYNTHETIC_CONTRACTS: '1500',
    INVESTIGATION_PAGE_SIZE: '50',
    INVESTIGATION_STEP_DELAY_MS: '100',
  });
  url = api.url;
  ana = await signToken({ secret: SECRET, subject: 'ana', roles: ['analyst'], ttlSeconds: 600 });
  bob = await signToken({ secret: SECRET, subject: 'bob', roles: ['analyst'], ttlSeconds: 600 });
  nobody = await signToken({ secret: SECRET, subject: 'nina', roles: [], ttlSeconds: 600 });
}, 60_000);

afterAll(async () => {
  await api?.dispose();
});

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

/**
 * Over every contract: each synthetic world is seeded by its investigation's id, and one in
 * about sixteen finds nothing in a single body's 1,500 contracts; over all of them, none in 3,000.
 */
const startInvestigation = (token = ana): Promise<string> => startInvestigationAt(url, { token, query: 'Contratos' });

/** The investigation's SSE stream to its end: the reference every GraphQL stream is held to. */
async function sseEvents(id: string): Promise<Array<Record<string, unknown>>> {
  const frames = await (await openSse(`${url}/api/v1/investigations/stream/${id}`, { headers: auth(ana) })).done;
  return frames.map((frame) => ({ id: Number(frame.id), ...frame.data }));
}

const EVENTS = `subscription Events($id: ID!, $after: Position) {
  investigationEvents(id: $id, after: $after) {
    __typename id type
    ... on InvestigationEvent_progress { investigation_id progress current_phase records_processed anomalies_detected timestamp }
    ... on InvestigationEvent_complete { total_anomalies execution_time }
  }
}`;

const eventsOf = (subscription: GraphqlSubscription): Array<Record<string, unknown>> =>
  subscription.results.flatMap((result) => {
    const event = result.data?.investigationEvents as Record<string, unknown> | undefined;
    return event ? [event] : [];
  });

describe('queries over HTTP', () => {
  it('answer the list and one investigation with its anomalies as the REST routes do', async () => {
    const id = await startInvestigation();
    // Compared once the investigation is over: its stream ends with `complete`.
    expect((await sseEvents(id)).at(-1)).toMatchObject({ type: 'complete' });
    const rest = (await (await fetch(`${url}/api/v1/investigations/${id}`, { headers: auth(ana) })).json()) as Record<
      string,
      unknown
    >;
    const one = await postGraphql(
      url,
      `query One($id: ID!) { investigation(id: $id) { investigation_id status last_event_id anomalies { anomaly_id severity score } } }`,
      { token: ana, variables: { id } },
    );
    expect(one.status).toBe(200);
    const anomalies = (rest.anomalies as Array<Record<string, unknown>>).map(({ anomaly_id, severity, score }) => ({
      anomaly_id,
      severity,
      score,
    }));
    expect(one.body).toEqual({
      data: {
        investigation: { investigation_id: id, status: rest.status, last_event_id: rest.last_event_id, anomalies },
      },
    });
    expect(anomalies.length).toBeGreaterThan(0);

    const page = (await (
      await fetch(`${url}/api/v1/investigations?limit=1&status=completed`, { headers: auth(ana) })
    ).json()) as { items: Array<{ investigation_id: string }>; next_cursor: string | null };
    const query = '{ investigations(limit: 1, status: "completed") { items { investigation_id status } next_cursor } }';
    const listed = await postGraphql(url, query, { token: ana });
    expect(listed.body.data).toEqual({
      investigations: {
        items: page.items.map((item) => ({ investigation_id: item.investigation_id, status: 'completed' })),
        next_cursor: page.next_cursor,
      },
    });
    const viaGet = await fetch(`${url}/graphql?query=${encodeURIComponent(query)}`, { headers: auth(ana) });
    expect([viaGet.status, await viaGet.json()]).toEqual([200, listed.body]);
  });

  it('refuse bad arguments, others’ investigations and missing tokens clearly, changing nothing', async () => {
    const bad = await postGraphql(url, '{ investigations(status: "queued", limit: 500) { next_cursor } }', {
      token: ana,
    });
    expect(bad.body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/limit.*100|status.*queued/),
      extensions: { code: 'VALIDATION_ERROR', status: 400 },
    });
    const id = await startInvestigation();
    const other = await postGraphql(url, `{ investigation(id: "${id}") { status } }`, { token: bob });
    expect(other.body).toMatchObject({
      data: { investigation: null },
      errors: [{ extensions: { code: 'INVESTIGATION_NOT_FOUND', status: 404 } }],
    });
    expect((await postGraphql(url, '{ investigations { next_cursor } }')).status).toBe(401);
    expect((await postGraphql(url, '{ investigations { next_cursor } }', { token: nobody })).status).toBe(403);
    const unparsable = await postGraphql(url, '{ investigations { ', { token: ana });
    expect([unparsable.status, unparsable.body.errors?.[0]?.extensions?.code]).toEqual([400, 'GRAPHQL_PARSE_FAILED']);
    const unknownField = await postGraphql(url, '{ secrets }', { token: ana });
    expect([unknownField.status, unknownField.body.errors?.[0]?.extensions?.code]).toEqual([
      400,
      'GRAPHQL_VALIDATION_FAILED',
    ]);
    const overHttp = await postGraphql(url, `subscription { investigations { id } }`, { token: ana });
    expect([overHttp.status, overHttp.body.errors?.[0]?.extensions?.code]).toEqual([400, 'SUBSCRIPTION_OVER_HTTP']);
  });

  it('refuse queries over the depth, cost and alias limits before they run, and allow introspection', async () => {
    const deep = await postGraphql(url, '{ investigations(limit: 1) { items { anomalies_by_severity { low } } } }', {
      token: ana,
    });
    expect(deep.status).toBe(400);
    expect(deep.body.errors?.[0]).toMatchObject({
      message: 'operation is 4 fields deep; at most 3 are allowed',
      extensions: { code: 'QUERY_TOO_DEEP', depth: 4, max_depth: 3 },
    });
    const fields = 'investigation_id query status progress current_phase user_id';
    const costly = await postGraphql(url, `{ investigations { items { ${fields} } } }`, { token: ana });
    expect(costly.status).toBe(400);
    expect(costly.body.errors?.[0]?.extensions).toEqual({ code: 'QUERY_TOO_COSTLY', cost: 602, max_cost: 500 });
    const cheap = await postGraphql(url, `{ investigations(limit: 5) { items { ${fields} } } }`, { token: ana });
    expect(cheap.status).toBe(200);
    const introspection = await postGraphql(
      url,
      '{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }',
      { token: ana },
    );
    expect(introspection.status).toBe(200);
    const renamed = (count: number) =>
      Array.from({ length: count }, (_, i) => `a${i}: __schema { types { fields { type { name } } } }`).join(' ');
    expect((await postGraphql(url, `{ ${renamed(5)} }`, { token: ana })).status).toBe(200);
    const aliases = await postGraphql(url, `{ ${renamed(6)} }`, { token: ana });
    expect([aliases.status, aliases.body.errors?.[0]?.extensions]).toEqual([
      400,
      { code: 'QUERY_TOO_MANY_ALIASES', aliases: 6, max_aliases: 5 },
    ]);
    const tooLong = await postGraphql(url, `{ __typename }${' '.repeat(100_000)}`, { token: ana });
    expect([tooLong.status, tooLong.body.errors?.[0]?.message]).toEqual([
      400,
      'invalid GraphQL request: query: at most 100000 characters',
    ]);
    const types = (introspection.body.data?.__schema as { types: Array<{ name: string }> }).types.map((t) => t.name);
    expect(types).toEqual(expect.arrayContaining(['InvestigationEvent_progress', 'InvestigationSummary', 'Anomaly']));
  });
});

describe('subscriptions over graphql-ws', () => {
  it('investigationEvents carries the SSE stream exactly, live, with the same ids', async () => {
    const id = await startInvestigation();
    const subscription = subscribeGraphql(url, EVENTS, { authorization: `Bearer ${ana}` }, { id });
    expect(await subscription.done).toBe('complete');
    const reference = await sseEvents(id);
    const events = eventsOf(subscription);
    expect(events.map((e) => [e.id, e.type])).toEqual(reference.map((e) => [e.id, e.type]));
    const progress = events.find((e) => e.type === 'progress');
    const { id: _id, type: _type, __typename, ...fields } = progress ?? {};
    expect(__typename).toBe('InvestigationEvent_progress');
    expect(reference.find((e) => e.id === progress?.id)).toMatchObject(fields);
    expect(events.at(-1)).toMatchObject({ type: 'complete', total_anomalies: expect.any(Number) });
  });

  it('resumes with after across forced disconnects: nothing lost, nothing twice', async () => {
    const id = await startInvestigation();
    const seen: Array<Record<string, unknown>> = [];
    let cuts = 0;
    for (let finished = false; !finished;) {
      const after = Number(seen.at(-1)?.id ?? 0);
      const subscription = subscribeGraphql(url, EVENTS, { token: ana }, { id, after });
      if (cuts < 4) {
        // Cut after a few events, while the investigation runs.
        await waitUntil(
          () => (eventsOf(subscription).length >= 3 || subscription.results.some((r) => r.errors) ? true : undefined),
          'three events',
        ).catch(() => undefined);
        subscription.cut();
        cuts++;
      }
      const outcome = await subscription.done;
      seen.push(...eventsOf(subscription));
      finished = outcome === 'complete' && seen.at(-1)?.type === 'complete';
      if (outcome === 'complete' && !finished) throw new Error('the stream completed before its last event');
    }
    expect(cuts).toBe(4);
    const reference = await sseEvents(id);
    const ids = seen.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(seen.map((e) => [e.id, e.type])).toEqual(reference.map((e) => [e.id, e.type]));
  });

  it('investigations pushes each list change, resumable from a page’s last_event_id', async () => {
    const page = await postGraphql(url, '{ investigations(limit: 1) { last_event_id } }', { token: ana });
    const after = (page.body.data?.investigations as { last_event_id: number }).last_event_id;
    const query = `subscription List($after: Position) { investigations(after: $after) { id type investigation_id status progress user_id } }`;
    const subscription = subscribeGraphql(url, query, { authorization: `Bearer ${ana}` }, { after });
    const id = await startInvestigation();
    const changes = (): Array<Record<string, unknown>> =>
      subscription.results.map((r) => r.data?.investigations as Record<string, unknown>);
    await waitUntil(
      () => (changes().some((c) => c.investigation_id === id && c.status === 'completed') ? true : undefined),
      'the new investigation completed on the list subscription',
      60_000,
    );
    await subscription.dispose();
    const ids = changes().map((c) => Number(c.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBeGreaterThan(after);
    expect(changes().every((c) => c.type === 'investigation_summary' && c.user_id === 'ana')).toBe(true);
  });

  it('refuses connections without a valid token (4401), without the role (4403), with a malformed one (4400)', async () => {
    const query = 'subscription { investigations { id } }';
    const cases: Array<[Record<string, unknown> | undefined, number]> = [
      [undefined, 4401],
      [{ authorization: 'Bearer not-a-jwt' }, 4401],
      [{ token: nobody }, 4403],
      [{ authorization: 'Basic abc' }, 4400],
    ];
    for (const [params, code] of cases) {
      const subscription = subscribeGraphql(url, query, params);
      expect({ params, code: closeCodeOf(await subscription.done) }).toEqual({ params, code });
      await subscription.dispose();
    }
  });

  it('refuses operations over the limits with graphql-ws errors, the connection kept', async () => {
    const deep = subscribeGraphql(url, '{ investigations(limit: 1) { items { anomalies_by_severity { low } } } }', {
      token: ana,
    });
    const outcome = await deep.done;
    expect(outcome).toMatchObject({ error: [{ extensions: { code: 'QUERY_TOO_DEEP' } }] });
    await deep.dispose();
  });
});

describe('malformed messages', () => {
  /**
   * A raw graphql-transport-ws socket: sends `before`, then (once acknowledged) `after`;
   * resolves with the close code.
   */
  async function closeCodeFor(before: string[], after: string[] = []): Promise<number> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    ws.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
    ws.on('message', (data: Buffer) => {
      if ((JSON.parse(data.toString('utf8')) as { type: string }).type === 'connection_ack')
        for (const message of after) ws.send(message);
    });
    await new Promise((resolve) => ws.once('open', resolve));
    for (const message of before) ws.send(message);
    return closed;
  }
  const initWith = (token: string): string => JSON.stringify({ type: 'connection_init', payload: { token } });
  const subscribe = (query: string): string => JSON.stringify({ id: '1', type: 'subscribe', payload: { query } });

  it('close only the offending connection, with graphql-ws codes, and the server keeps serving', async () => {
    const list = subscribe('subscription { investigations { id } }');
    expect(await closeCodeFor(['not json'])).toBe(4400);
    expect(await closeCodeFor([JSON.stringify({ type: 'launch_missiles' })])).toBe(4400);
    expect(await closeCodeFor([list])).toBe(4401);
    expect(await closeCodeFor([initWith('')])).toBe(4400);
    expect(await closeCodeFor([initWith(ana), initWith(ana)])).toBe(4429);
    expect(await closeCodeFor([initWith(ana)], [list, list])).toBe(4409);
    const bogus = JSON.stringify({ id: '2', type: 'subscribe', payload: { query: 42 } });
    expect(await closeCodeFor([initWith(ana)], [bogus])).toBe(4400);
    const legacy = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-ws');
    legacy.on('error', () => undefined);
    expect(await new Promise<number>((resolve) => legacy.once('close', (code: number) => resolve(code)))).toBe(4406);

    expect(api.alive()).toBe(true);
    const fresh = await postGraphql(url, '{ investigations(limit: 1) { last_event_id } }', { token: ana });
    expect(fresh.status).toBe(200);
    expect(api.errorLines()).toEqual([]);
  });
});

// Last: it stops the server.
describe('a graceful shutdown', () => {
  it('closes graphql-ws connections with 1012, so clients reconnect elsewhere and resume', async () => {
    const subscription = subscribeGraphql(url, 'subscription { investigations { id } }', { token: ana });
    const id = await startInvestigation();
    await waitUntil(
      () =>
        subscription.results.some((r) => (r.data?.investigations as { id?: number } | undefined)?.id)
          ? true
          : undefined,
      `a list change of ${id}`,
    );
    const exited = api.proc.stop('SIGTERM');
    expect(closeCodeOf(await subscription.done)).toBe(1012);
    expect(await exited).toBe(0);
  });
});
