import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WS_ENDPOINTS } from '../apps/api/src/websocket/ws-routes.js';
import { ChatGateway } from '../apps/api/src/websocket/socketio/chat.gateway.js';
import {
  firstEvent,
  generalOutcome,
  graphqlOutcome,
  history,
  httpStatus,
  ioOutcome,
  wsOutcome,
} from './support/authorization-probes.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';

/**
 * Every route of the API, found at runtime (the HTTP router, the raw WebSocket endpoints,
 * the Socket.IO namespaces), against every kind of caller, with auth required. A route
 * without a row fails the test: a new endpoint cannot ship before someone decided who may
 * use it. Investigations are queued (the workers are stopped) unless a row needs them.
 */
const CALLERS = ['none', 'viewer', 'owner', 'other', 'auditor', 'admin', 'bad', 'revoked'] as const;
type Caller = (typeof CALLERS)[number];
type Outcomes = Readonly<Record<Caller, string>>;

interface Fixture {
  readonly url: string;
  /** Headers and `?token=` of each caller. */
  readonly auth: (caller: Caller) => Record<string, string>;
  readonly token: (caller: Caller) => string | undefined;
  /** An investigation of the owner's that no worker has taken. */
  readonly queued: () => Promise<string>;
  /** The owner's chat session, with one answered message. */
  readonly session: string;
}

interface Row {
  /**
   * The outcome that shows only once the workers act (an answer, an investigation's first
   * event). Callers expecting anything else are settled first, with the workers stopped, so
   * a queued investigation is refused as such; then the workers start for the others.
   */
  readonly onceWorkersRun?: string;
  readonly probe: (
    f: Fixture,
    caller: Caller,
    ids: { investigation: string },
  ) => { outcome: Promise<string>; close?: () => void };
  readonly expected: Outcomes;
}

const everyone = (outcome: string): Outcomes => Object.fromEntries(CALLERS.map((c) => [c, outcome])) as Outcomes;
/** Non-public routes: no token, a bad one and a revoked one are all refused before anything else. */
const guarded = (roles: Omit<Outcomes, 'none' | 'bad' | 'revoked'>, refused = '401'): Outcomes => ({
  none: refused,
  bad: refused,
  revoked: refused,
  ...roles,
});
/** Resources of the owner's: auditors and admins see every one, the others are told it does not exist. */
const ownerOnly = (ok: string, notFound: string) => ({
  viewer: notFound,
  owner: ok,
  other: notFound,
  auditor: ok,
  admin: ok,
});

const http =
  (method: string, path: (f: Fixture, ids: { investigation: string }) => string, body?: unknown): Row['probe'] =>
  (f, caller, ids) => ({
    outcome: httpStatus(`${f.url}${path(f, ids)}`, {
      method,
      headers: { ...f.auth(caller), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  });
const publicGet = (path: string): Row => ({ probe: http('GET', () => path), expected: everyone('200') });
const tokenQuery = (f: Fixture, caller: Caller): string =>
  f.token(caller) === undefined ? '' : `token=${encodeURIComponent(f.token(caller) ?? '')}`;
const ws = (f: Fixture, path: string, caller: Caller): string =>
  `${f.url.replace(/^http/, 'ws')}${path}?${tokenQuery(f, caller)}`;
const ioAuth = (f: Fixture, caller: Caller, rest: Record<string, unknown>) => ({
  ...(f.token(caller) === undefined ? {} : { token: f.token(caller) }),
  ...rest,
});

const CHAT_BODY = (f: Fixture) => ({ message: 'Olá, tudo bem?', session_id: f.session });
const watched = ownerOnly('200', '404');
const auditing = { viewer: '403', owner: '403', other: '403', auditor: '200', admin: '200' };
const adminOnly = (admin: string) => ({ viewer: '403', owner: '403', other: '403', auditor: '403', admin });
const NO_WEBHOOK = '00000000-0000-4000-8000-000000000000';

const ROWS: Readonly<Record<string, Row>> = {
  'GET /health': publicGet('/health'),
  'GET /health/ready': publicGet('/health/ready'),
  'GET /metrics': publicGet('/metrics'),
  'GET /health/metrics': publicGet('/health/metrics'),
  'GET /api/docs': publicGet('/api/docs'),
  'GET /api/docs/': publicGet('/api/docs/'),
  'GET /api/docs/index.html': publicGet('/api/docs/index.html'),
  // Registered by the Swagger module, which finds no LICENSE file to serve: the same 404 for everyone.
  'GET /api/docs/LICENSE': { probe: http('GET', () => '/api/docs/LICENSE'), expected: everyone('404') },
  'GET /api/docs/swagger-ui-init.js': publicGet('/api/docs/swagger-ui-init.js'),
  'GET /api/docs/docs/swagger-ui-init.js': publicGet('/api/docs/docs/swagger-ui-init.js'),
  'GET /api/docs-json': publicGet('/api/docs-json'),
  'GET /api/asyncapi.json': publicGet('/api/asyncapi.json'),
  'GET /api/v1/observability': publicGet('/api/v1/observability'),
  'GET /api/v1/observability/dashboard': publicGet('/api/v1/observability/dashboard'),
  'GET /api/v1/chat/agents': publicGet('/api/v1/chat/agents'),
  'POST /api/v1/investigations': {
    probe: http('POST', () => '/api/v1/investigations', { query: 'contratos de saúde', data_source: 'synthetic' }),
    expected: guarded({ viewer: '403', owner: '202', other: '202', auditor: '403', admin: '202' }),
  },
  // A preview starts nothing, but is offered to those who may start.
  'POST /api/v1/investigations/preview': {
    probe: http('POST', () => '/api/v1/investigations/preview', { query: 'contratos de saúde em 2024' }),
    expected: guarded({ viewer: '403', owner: '200', other: '200', auditor: '403', admin: '200' }),
  },
  // Everyone who may watch an investigation gets a list: their own, or (auditors, admins) everyone's.
  'GET /api/v1/investigations': {
    probe: http('GET', () => '/api/v1/investigations'),
    expected: guarded({ viewer: '200', owner: '200', other: '200', auditor: '200', admin: '200' }),
  },
  'GET /api/v1/investigations/stream': {
    probe: http('GET', () => '/api/v1/investigations/stream'),
    expected: guarded({ viewer: '200', owner: '200', other: '200', auditor: '200', admin: '200' }),
  },
  'GET /api/v1/investigations/:id': {
    probe: http('GET', (_f, ids) => `/api/v1/investigations/${ids.investigation}`),
    expected: guarded(watched),
  },
  'POST /api/v1/investigations/:id/cancel': {
    probe: http('POST', (_f, ids) => `/api/v1/investigations/${ids.investigation}/cancel`, {}),
    expected: guarded({ viewer: '403', owner: '202', other: '404', auditor: '403', admin: '202' }),
  },
  'GET /api/v1/investigations/stream/:id': {
    probe: http('GET', (_f, ids) => `/api/v1/investigations/stream/${ids.investigation}`),
    expected: guarded(watched),
  },
  'GET /api/v1/investigations/:id/events': {
    probe: http('GET', (_f, ids) => `/api/v1/investigations/${ids.investigation}/events`),
    expected: guarded(watched),
  },
  'GET /api/v1/investigations/:id/replay': {
    probe: http('GET', (_f, ids) => `/api/v1/investigations/${ids.investigation}/replay`),
    expected: guarded(watched),
  },
  'POST /api/v1/chat/stream': {
    probe: (f, caller, ids) => http('POST', () => '/api/v1/chat/stream', CHAT_BODY(f))(f, caller, ids),
    expected: guarded({ viewer: '404', owner: '200', other: '404', auditor: '403', admin: '403' }),
  },
  'POST /api/v1/chat/message': {
    onceWorkersRun: '200',
    probe: (f, caller, ids) => http('POST', () => '/api/v1/chat/message', CHAT_BODY(f))(f, caller, ids),
    expected: guarded({ viewer: '404', owner: '200', other: '404', auditor: '403', admin: '403' }),
  },
  'GET /api/v1/chat/sessions/:id': {
    probe: http('GET', (f) => `/api/v1/chat/sessions/${f.session}`),
    expected: guarded(watched),
  },
  'GET /api/v1/chat/sessions/:id/stream': {
    probe: http('GET', (f) => `/api/v1/chat/sessions/${f.session}/stream`),
    expected: guarded(watched),
  },
  'POST /api/v1/chat/direct/maritaca/stream': {
    probe: http('POST', () => '/api/v1/chat/direct/maritaca/stream', { messages: [{ role: 'user', content: 'Olá' }] }),
    expected: guarded({ viewer: '200', owner: '200', other: '200', auditor: '200', admin: '200' }),
  },
  'GET /api/v1/audit/verify': { probe: http('GET', () => '/api/v1/audit/verify'), expected: guarded(auditing) },
  'GET /api/v1/audit/export': {
    probe: http('GET', () => '/api/v1/audit/export?format=json'),
    expected: guarded(auditing),
  },
  'GET /api/v1/events/stream': { probe: http('GET', () => '/api/v1/events/stream'), expected: guarded(auditing) },
  // Each stream of the connection is authorised as on its own endpoint.
  'GET /api/v1/streams': {
    probe: http('GET', (f, ids) => `/api/v1/streams?subscribe=investigation:${ids.investigation},chat:${f.session}`),
    expected: guarded(watched),
  },
  // A connection is changed by its owner only (test/multiplexed-streams.e2e.spec.ts); none is open here.
  'POST /api/v1/streams/:connectionId': {
    probe: http('POST', () => '/api/v1/streams/5f1b4a52-0000-4000-8000-000000000000', { subscribe: ['events'] }),
    expected: guarded({ viewer: '404', owner: '404', other: '404', auditor: '404', admin: '404' }),
  },
  'POST /api/v1/admin/users/:userId/revoke-tokens': {
    probe: http('POST', () => '/api/v1/admin/users/matrix-target/revoke-tokens', {}),
    expected: guarded({ viewer: '403', owner: '403', other: '403', auditor: '403', admin: '200' }),
  },
  // Webhooks are an admin's: ids of no webhook show the admin through the guard (404) and no one else (403).
  'POST /api/v1/webhooks': {
    probe: http('POST', () => '/api/v1/webhooks', { url: 'https://receiver.example.org/hook', events: ['Nothing*'] }),
    expected: guarded(adminOnly('201')),
  },
  'GET /api/v1/webhooks': { probe: http('GET', () => '/api/v1/webhooks'), expected: guarded(adminOnly('200')) },
  'GET /api/v1/webhooks/:id': {
    probe: http('GET', () => `/api/v1/webhooks/${NO_WEBHOOK}`),
    expected: guarded(adminOnly('404')),
  },
  'DELETE /api/v1/webhooks/:id': {
    probe: http('DELETE', () => `/api/v1/webhooks/${NO_WEBHOOK}`),
    expected: guarded(adminOnly('404')),
  },
  'GET /api/v1/webhooks/:id/deliveries': {
    probe: http('GET', () => `/api/v1/webhooks/${NO_WEBHOOK}/deliveries`),
    expected: guarded(adminOnly('404')),
  },
  'POST /api/v1/webhooks/:id/replay': {
    probe: http('POST', () => `/api/v1/webhooks/${NO_WEBHOOK}/replay`, { from: 0 }),
    expected: guarded(adminOnly('404')),
  },
  // Every verified caller may ask who the server takes them for.
  'GET /api/v1/auth/me': {
    probe: http('GET', () => '/api/v1/auth/me'),
    expected: guarded({ viewer: '200', owner: '200', other: '200', auditor: '200', admin: '200' }),
  },
  'WS /api/v1/ws': {
    onceWorkersRun: 'investigation=events chat=events',
    probe: (f, caller, ids) =>
      generalOutcome(ws(f, '/api/v1/ws', caller), {
        investigation: `investigation:${ids.investigation}`,
        chat: `chat:${f.session}`,
      }),
    expected: guarded(
      {
        viewer: 'investigation=INVESTIGATION_NOT_FOUND chat=SESSION_NOT_FOUND',
        owner: 'investigation=events chat=events',
        other: 'investigation=INVESTIGATION_NOT_FOUND chat=SESSION_NOT_FOUND',
        auditor: 'investigation=events chat=events',
        admin: 'investigation=events chat=events',
      },
      'close 1008',
    ),
  },
  'WS /api/v1/ws/chat/{session_id}': {
    probe: (f, caller) => wsOutcome(ws(f, `/api/v1/ws/chat/${f.session}`, caller), history),
    expected: guarded(ownerOnly('history', 'close 4404'), 'close 1008'),
  },
  'WS /api/v1/ws/investigations/{investigation_id}': {
    onceWorkersRun: 'events',
    probe: (f, caller, ids) => wsOutcome(ws(f, `/api/v1/ws/investigations/${ids.investigation}`, caller), firstEvent),
    expected: guarded(ownerOnly('events', 'close 4404'), 'close 1008'),
  },
  // GraphQL: the roles of the REST routes it answers for (investigation:watch); its queries see what GET /api/v1/investigations sees.
  'POST /graphql': {
    probe: http('POST', () => '/graphql', { query: '{ investigations(limit: 1) { last_event_id } }' }),
    expected: guarded({ viewer: '200', owner: '200', other: '200', auditor: '200', admin: '200' }),
  },
  'GET /graphql': {
    probe: http('GET', () => `/graphql?query=${encodeURIComponent('{ investigations(limit: 1) { last_event_id } }')}`),
    expected: guarded({ viewer: '200', owner: '200', other: '200', auditor: '200', admin: '200' }),
  },
  // Its token comes in connection_init, so a refusal is graphql-ws's 4401 (4403 for a role without investigation:watch).
  'WS /graphql': {
    onceWorkersRun: 'events',
    probe: (f, caller, ids) => graphqlOutcome(f.url, f.token(caller), ids.investigation),
    expected: guarded(ownerOnly('events', 'error INVESTIGATION_NOT_FOUND'), 'close 4401'),
  },
  'SIO /chat': {
    probe: (f, caller) =>
      ioOutcome(`${f.url}/chat`, ioAuth(f, caller, { sessionId: f.session }), (event) =>
        event === 'history' ? 'history' : null,
      ),
    // Someone else's session: the error, then the server disconnects (disconnect_reason 4404).
    expected: guarded(ownerOnly('history', 'error SESSION_NOT_FOUND'), 'connect_error 1008'),
  },
  'SIO /investigations': {
    onceWorkersRun: 'events',
    probe: (f, caller, ids) =>
      ioOutcome(`${f.url}/investigations`, ioAuth(f, caller, { investigationId: ids.investigation }), (_e, p) =>
        typeof p.id === 'number' ? 'events' : null,
      ),
    expected: guarded(ownerOnly('events', 'error INVESTIGATION_NOT_FOUND'), 'connect_error 1008'),
  },
  'SIO /': {
    probe: (f, caller) => ioOutcome(`${f.url}/`, ioAuth(f, caller, {}), () => null, 'connected'),
    expected: everyone('connect_error 4404'),
  },
};

const SECRET = 'authorization-matrix-secret-0123456789';
let app: EmbeddedApp;
let fixture: Fixture;

beforeAll(async () => {
  app = await startEmbeddedApp(
    { JWT_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_PER_MINUTE_IP: '0', INVESTIGATION_STEP_DELAY_MS: '5' },
    { workers: false },
  );
  const users: Record<Exclude<Caller, 'none' | 'bad'>, [string, 'viewer' | 'analyst' | 'auditor' | 'admin']> = {
    viewer: ['vera', 'viewer'],
    owner: ['ana', 'analyst'],
    other: ['bob', 'analyst'],
    auditor: ['carol', 'auditor'],
    admin: ['root', 'admin'],
    revoked: ['rex', 'analyst'],
  };
  const tokens = new Map<Caller, string>([['bad', 'not-a-jwt']]);
  for (const [caller, [sub, role]] of Object.entries(users)) tokens.set(caller as Caller, await app.token(sub, role));
  const bearer = (caller: Caller): Record<string, string> =>
    tokens.has(caller) ? { Authorization: `Bearer ${tokens.get(caller)}` } : {};
  const revoke = await fetch(`${app.url}/api/v1/admin/users/rex/revoke-tokens`, {
    method: 'POST',
    headers: { ...bearer('admin'), 'Content-Type': 'application/json' },
    body: '{}',
  });
  expect(revoke.status).toBe(200);
  const queued = async (): Promise<string> => {
    const res = await fetch(`${app.url}/api/v1/investigations`, {
      method: 'POST',
      headers: { ...bearer('owner'), 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'contratos de obras', data_source: 'synthetic' }),
    });
    return ((await res.json()) as { investigation_id: string }).investigation_id;
  };
  await app.startWorkers();
  const res = await fetch(`${app.url}/api/v1/chat/message`, {
    method: 'POST',
    headers: { ...bearer('owner'), 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: 'Olá!' }),
  });
  const session = ((await res.json()) as { session_id: string }).session_id;
  await app.stopWorkers();
  fixture = { url: app.url, auth: bearer, token: (caller) => tokens.get(caller), queued, session };
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

/** Every route this server answers, named as its router names it. */
function discoveredRoutes(): string[] {
  const express = app.api.app.getHttpAdapter().getInstance() as {
    router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
  };
  const http = express.router.stack.flatMap((layer) =>
    layer.route ? Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route?.path}`) : [],
  );
  const io = app.api.app.get(ChatGateway).namespace.server as unknown as { _nsps: Map<string, unknown> };
  return [
    ...new Set([...http, ...WS_ENDPOINTS.map((e) => `WS ${e.path}`), ...[...io._nsps.keys()].map((n) => `SIO ${n}`)]),
  ];
}

describe('the role table', () => {
  it('has a row for every route, and no row for a route that does not exist', () => {
    const routes = discoveredRoutes();
    for (const route of routes)
      expect({ route, row: route in ROWS ? 'present' : `route ${route} has no row in the role table` }).toEqual({
        route,
        row: 'present',
      });
    for (const row of Object.keys(ROWS))
      expect({ row, route: routes.includes(row) ? 'exists' : `row ${row} names no route` }).toEqual({
        row,
        route: 'exists',
      });
  });
});

describe.each(Object.entries(ROWS))('%s', (_route, row) => {
  it('answers each caller as the role table says', async () => {
    const ids = { investigation: await fixture.queued() };
    const probes = CALLERS.map((caller) => ({ caller, ...row.probe(fixture, caller, ids) }));
    const outcomes: Record<string, string> = {};
    const settle = async (which: typeof probes) => {
      for (const [i, outcome] of (await Promise.all(which.map((p) => p.outcome))).entries())
        outcomes[which[i]?.caller ?? ''] = outcome;
    };
    const needWorkers = (p: (typeof probes)[number]): boolean =>
      row.onceWorkersRun !== undefined && row.expected[p.caller] === row.onceWorkersRun;
    try {
      await settle(probes.filter((p) => !needWorkers(p)));
      if (row.onceWorkersRun !== undefined) {
        await app.startWorkers();
        await settle(probes.filter(needWorkers));
      }
      expect(outcomes).toEqual(row.expected);
    } finally {
      for (const probe of probes) probe.close?.();
      if (row.onceWorkersRun !== undefined) await app.stopWorkers();
    }
  }, 60_000);
});
