import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocket } from 'ws';
import { signToken } from '#platform';
import { connectWs, wsUrl } from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { startApiProcess, type ApiProcess } from './support/api-process.js';
import { HOSTILE_FRAMES, rawConnect, sendAfterHandshake, upgradeRequest } from './support/raw-websocket.js';
import { waitUntil } from './support/wait-until.js';

/**
 * Protocol violations on every raw WebSocket path, against the compiled api process: an
 * unhandled 'error' would end it, so surviving here means surviving in production.
 */
const SECRET = 'hostile-frames-secret-hostile-frames-42';
const BAD_TOKEN = 'not-a-jwt-hostile-frames';
let api: ApiProcess;
let url = '';
let port = 0;
let token = '';
let investigationId = '';

beforeAll(async () => {
  api = await startApiProcess({
    JWT_SECRET: SECRET,
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_PER_MINUTE_IP: '0',
    // An investigation that runs for the whole file, so its socket is open when the frames arrive.
    SYNTHETIC_CONTRACTS: '200000',
    INVESTIGATION_PAGE_SIZE: '100',
    INVESTIGATION_STEP_DELAY_MS: '1000',
  });
  url = api.url;
  port = Number(new URL(url).port);
  token = await signToken({ secret: SECRET, subject: 'ana', roles: ['analyst'], ttlSeconds: 600 });
  const res = await fetch(`${url}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: 'Contratos de saúde', data_source: 'synthetic' }),
  });
  expect(res.status).toBe(202);
  investigationId = ((await res.json()) as { investigation_id: string }).investigation_id;
});

afterAll(async () => {
  await api?.dispose();
});

const alive = (): boolean => api.alive();

/** The server lives: /health answers and a new WebSocket is served. */
async function expectServing(): Promise<void> {
  expect(alive()).toBe(true);
  expect((await fetch(`${url}/health`)).status).toBe(200);
  const fresh = await connectWs(wsUrl(url, `/api/v1/ws/chat/fresh?token=${token}`));
  await fresh.waitFor((m) => m.type === 'history', 'history on a fresh connection');
  await fresh.close();
}

const PATHS: ReadonlyArray<{
  readonly name: string;
  readonly path: () => string;
  readonly open: boolean;
  readonly refusal?: number;
  /** The subprotocol the endpoint speaks, offered in the handshake. */
  readonly protocol?: string;
}> = [
  { name: 'general', path: () => `/api/v1/ws?token=${token}`, open: true },
  { name: 'investigation', path: () => `/api/v1/ws/investigations/${investigationId}?token=${token}`, open: true },
  { name: 'chat', path: () => `/api/v1/ws/chat/hostile?token=${token}`, open: true },
  { name: 'graphql', path: () => '/graphql', open: true, protocol: 'graphql-transport-ws' },
  { name: 'unknown path (404)', path: () => `/api/v1/nowhere?token=${token}`, open: false, refusal: 404 },
  {
    name: 'bad token (1008)',
    path: () => `/api/v1/ws/investigations/${investigationId}?token=${BAD_TOKEN}`,
    open: false,
    refusal: 1008,
  },
];

/** Opens with the `ws` client and sends one text message of `bytes` the moment the socket opens. */
function sendOversized(
  path: string,
  protocol: string | undefined,
  bytes: number,
): Promise<{ status?: number; code?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl(url, path), protocol === undefined ? [] : [protocol]);
    ws.on('error', () => undefined);
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate();
      resolve({ status: res.statusCode });
    });
    ws.once('open', () => ws.send('x'.repeat(bytes)));
    ws.once('close', (code) => resolve({ code }));
  });
}

describe.each(PATHS)('hostile frames on $name', ({ path, open, refusal, protocol }) => {
  it.each(HOSTILE_FRAMES.map((f) => [f.name, f] as const))(
    '%s: closes that socket only, with the right code',
    async (_name, hostile) => {
      const headers: Record<string, string> = protocol === undefined ? {} : { 'Sec-WebSocket-Protocol': protocol };
      const exchange = await sendAfterHandshake(port, path(), hostile.bytes, undefined, headers);
      if (refusal === 404) expect(exchange.status).toBe(404);
      else expect(exchange).toMatchObject({ status: 101, closeCode: open ? hostile.closeCode : refusal });
      await expectServing();
    },
  );

  // Past 128 KiB a frame is not held while it arrives: a stalled one would hold that much per connection.
  it.each([
    ['2 MiB', 2 << 20],
    ['200 KiB', 200 << 10],
  ])('a %s message from the ws client: 1009 where the socket was open', async (_size, bytes) => {
    const outcome = await sendOversized(path(), protocol, bytes);
    if (refusal === 404) expect(outcome).toEqual({ status: 404 });
    else expect(outcome).toEqual({ code: open ? 1009 : refusal });
    await expectServing();
  });
});

describe('the raw socket during the upgrade', () => {
  const paths = (): string[] => [
    ...PATHS.map((p) => p.path()),
    '/api/v1/ws?last_event_id=zz',
    `/socket.io/?EIO=4&transport=websocket`,
  ];

  it('survives clients that reset before or after the answer, with or without frames behind the request', async () => {
    for (const path of paths()) {
      for (const tail of [Buffer.alloc(0), HOSTILE_FRAMES[0]?.bytes ?? Buffer.alloc(0)]) {
        const request = Buffer.concat([Buffer.from(upgradeRequest(`127.0.0.1:${port}`, path)), tail]);
        const impatient = await rawConnect(port);
        impatient.write(request);
        impatient.resetAndDestroy();
        const answered = await rawConnect(port);
        answered.write(request);
        await new Promise((resolve) => {
          answered.once('data', resolve);
          answered.once('close', resolve);
        });
        answered.resetAndDestroy();
        // The server reads the resets after they were sent: a request that needs its answer orders them.
        expect({ path, status: (await fetch(`${url}/health`).catch(() => null))?.status }).toEqual({
          path,
          status: 200,
        });
      }
    }
    await expectServing();
  });

  it('serves others while a client sits on a half-sent handshake, and survives its reset', async () => {
    const half = await rawConnect(port);
    half.write(
      `GET /api/v1/ws?token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`,
    );
    await expectServing();
    half.resetAndDestroy();
    await expectServing();
  });
});

describe('what the operator sees', () => {
  it('counts the faults in streaming_errors_total and logs them at warn, never with the token', async () => {
    const metrics = await waitUntil(async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return /streaming_errors_total\{type="websocket",endpoint="chat"\} ([1-9]\d*)/.test(text) ? text : undefined;
    }, 'client faults in streaming_errors_total');
    for (const endpoint of ['general', 'investigations', 'chat']) {
      const count = Number(
        new RegExp(`streaming_errors_total\\{type="websocket",endpoint="${endpoint}"\\} (\\d+)`).exec(metrics)?.[1] ??
          0,
      );
      expect(count).toBeGreaterThanOrEqual(HOSTILE_FRAMES.length);
    }
    const logged = await api.proc.waitForLog(
      (l) => l.fault === 'websocket_client' && l.error_code === 'WS_ERR_INVALID_UTF8',
    );
    expect(logged).toMatchObject({
      level: 40,
      endpoint: expect.any(String),
      path: expect.stringMatching(/^\/api\/v1\/ws/),
      close_code: 1007,
    });
    expect(api.proc.output()).not.toContain(token);
    expect(api.proc.output()).not.toContain(BAD_TOKEN);
    expect(alive()).toBe(true);
  });
});
