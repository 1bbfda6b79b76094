import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { signToken } from '#platform';
import { openWs, wsUrl, type WsTestClient } from '../../apps/api/src/websocket/testing/ws-client.testing.js';
import { startApiProcess, type ApiProcess } from '../support/api-process.js';
import { fuzzRuns, fuzzSeed } from '../support/fuzz-config.js';
import { waitUntil } from '../support/wait-until.js';
import { ioEmit, ioPacket, rawFrame, type IoEmit, type RawFrame } from './websocket-messages.arbitraries.js';

/**
 * Random inbound messages over the raw WebSocket endpoints and Socket.IO, against the
 * compiled api process: each gets an answer or a clean close within a bound, the process
 * lives, and client input never logs at error level. FUZZ_SCALE multiplies the 500
 * cases (npm run fuzz) and FUZZ_SEED replays a run; the seed is printed when a case fails.
 */
const CASES = fuzzRuns(500);
const SEED = fuzzSeed();
/** Liveness bound per case: generous, a busy machine must not fail it. */
const ANSWER_WITHIN_MS = 15_000;
/** Close codes that end a connection on purpose: normal, policy, too big, overloaded, the 4000 range. */
const CLEAN = (code: number): boolean => [1000, 1008, 1009, 1013].includes(code) || (code >= 4000 && code < 5000);

const SECRET = 'fuzz-secret-fuzz-secret-fuzz-secret-4242';
let api: ApiProcess;
let url = '';
let token = '';
let investigationId = '';
let probes = 0;

beforeAll(async () => {
  api = await startApiProcess({
    JWT_SECRET: SECRET,
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_PER_MINUTE_IP: '0',
    SYNTHETIC_CONTRACTS: '200000',
    INVESTIGATION_PAGE_SIZE: '100',
    INVESTIGATION_STEP_DELAY_MS: '1000',
  });
  url = api.url;
  const analyst = await signToken({ secret: SECRET, subject: 'ana', roles: ['analyst'], ttlSeconds: 3600 });
  // An auditor watches any investigation but may not cancel it: the fuzzed `cancel`s leave it running.
  token = await signToken({ secret: SECRET, subject: 'fuzz', roles: ['auditor'], ttlSeconds: 3600 });
  const res = await fetch(`${url}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${analyst}` },
    body: JSON.stringify({ query: 'Contratos de saúde' }),
  });
  investigationId = ((await res.json()) as { investigation_id: string }).investigation_id;
});

afterAll(async () => {
  await raw.closeAll();
  await ios.closeAll();
  await api?.dispose();
});

const alive = (): boolean => api.alive();
const errorLines = (from: number): string[] => api.errorLines(from);

/** Keeps one open connection per target, reopening the ones a case closed. */
class Pool<T> {
  private readonly open = new Map<string, T>();
  constructor(
    private readonly connect: (target: string) => Promise<T>,
    private readonly close: (client: T) => Promise<void>,
  ) {}
  async get(target: string): Promise<T> {
    const existing = this.open.get(target);
    if (existing) return existing;
    const client = await this.connect(target);
    this.open.set(target, client);
    return client;
  }
  drop(target: string): void {
    this.open.delete(target);
  }
  async closeAll(): Promise<void> {
    await Promise.all([...this.open.values()].map((c) => this.close(c)));
    this.open.clear();
  }
}

const RAW_PATHS: Record<string, () => string> = {
  general: () => `/api/v1/ws?token=${token}`,
  chat: () => `/api/v1/ws/chat/fuzz?token=${token}`,
  investigation: () => `/api/v1/ws/investigations/${investigationId}?token=${token}`,
};

const raw = new Pool<WsTestClient>(
  async (target) => {
    const client = openWs(wsUrl(url, RAW_PATHS[target]?.() ?? '/'));
    await client.waitFor(() => true, `the first message on ${target}`, 0, ANSWER_WITHIN_MS);
    return client;
  },
  async (client) => void (await client.close()),
);

/** A frame then a ping probe; replies come in order, so the probe's pong follows whatever the frame got. */
async function rawCase(target: string, frame: RawFrame): Promise<void> {
  const client = await raw.get(target);
  const from = client.messages.length;
  const probe = `probe-${++probes}`;
  client.ws.send(frame.data);
  if (client.ws.readyState === WebSocket.OPEN) client.send({ type: 'ping', request_id: probe });
  const outcome = await Promise.race([
    client
      .waitFor((m) => m.type === 'pong' && m.request_id === probe, `the pong of ${probe}`, from, ANSWER_WITHIN_MS)
      .then(() => null),
    client.closed,
  ]);
  if (outcome !== null) {
    raw.drop(target);
    expect({ target, closedWith: outcome.code, clean: CLEAN(outcome.code) }).toEqual({
      target,
      closedWith: outcome.code,
      clean: true,
    });
    return;
  }
  const answered = client.messages.slice(from).filter((m) => m.request_id !== probe);
  if (answered.length === 0)
    expect({ target, frame: frame.data.slice(0, 200) }).toEqual({
      target: 'chat',
      frame: expect.stringMatching(/"type":"typing"/),
    });
}

const ios = new Pool<Socket>(
  async (namespace) => {
    // A connection of its own: a frame over the cap closes one namespace's connection, not the other's.
    const socket = io(`${url}/${namespace}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      auth: { token, sessionId: 'fuzz' },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return socket;
  },
  async (socket) => void socket.close(),
);

/** An emit (with an ack, or followed by an acked ping) answered, or a disconnect. */
async function ioCase(namespace: string, emit: IoEmit): Promise<void> {
  const socket = await ios.get(namespace);
  let onDisconnect = (): void => undefined;
  const disconnected = new Promise<{ reason: string }>((resolve) => {
    onDisconnect = (reason?: string) => resolve({ reason: String(reason) });
    socket.once('disconnect', onDisconnect);
  });
  // Event names may be numbers on the wire: socket.io-client's types only say string.
  const send = socket.timeout(ANSWER_WITHIN_MS) as unknown as {
    emitWithAck(event: unknown, ...args: unknown[]): Promise<unknown>;
  };
  if (!emit.ack) socket.emit(emit.event as string, ...emit.args);
  const asked = emit.ack ? send.emitWithAck(emit.event, ...emit.args) : send.emitWithAck('ping');
  const outcome = await Promise.race([
    asked.then(
      (answer) => ({ answer }),
      (error: unknown) => ({ failed: String(error) }),
    ),
    disconnected,
  ]);
  socket.off('disconnect', onDisconnect);
  if ('failed' in outcome && socket.connected)
    throw new Error(`${String(emit.event)} got no acknowledgement: ${outcome.failed}`);
  if (!('answer' in outcome) || !socket.connected) ios.drop(namespace);
  if ('answer' in outcome) expect(outcome.answer).toEqual(expect.objectContaining({ type: expect.any(String) }));
}

/** A raw socket.io packet on engine.io's websocket, then an acked ping: answered, or the connection closed. */
async function packetCase(packet: string): Promise<void> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const texts: string[] = [];
  ws.on('error', () => undefined);
  ws.on('message', (data) => texts.push(data.toString()));
  const closed = new Promise<number>((resolve) => ws.once('close', resolve));
  try {
    await waitUntil(
      () => (texts.some((t) => t.startsWith('0{')) ? true : undefined),
      'the engine.io open packet',
      ANSWER_WITHIN_MS,
    );
    ws.send(`40/chat,${JSON.stringify({ sessionId: 'fuzz', token })}`);
    await waitUntil(
      () => (texts.some((t) => t.startsWith('40/chat,')) ? true : undefined),
      'the /chat connect',
      ANSWER_WITHIN_MS,
    );
    ws.send(packet);
    if (ws.readyState === WebSocket.OPEN) ws.send('42/chat,777["ping"]');
    const answered = waitUntil(
      () => (texts.some((t) => t.startsWith('43/chat,777[')) ? 'answered' : undefined),
      'the ping ack',
      ANSWER_WITHIN_MS,
    );
    expect(await Promise.race([answered, closed.then(() => 'closed')])).toMatch(/answered|closed/);
  } finally {
    ws.terminate();
  }
}

/** Runs `property`, naming the seed when it fails so the run can be replayed. */
async function check<T>(arbitrary: fc.Arbitrary<T>, run: (value: T) => Promise<void>, numRuns: number): Promise<void> {
  const property = fc.asyncProperty(arbitrary, async (value) => {
    const logged = api.proc.output().length;
    await run(value);
    expect(alive()).toBe(true);
    expect(errorLines(logged)).toEqual([]);
  });
  try {
    await fc.assert(property, { seed: SEED, numRuns, endOnFailure: true });
  } catch (error) {
    // A counterexample may hold a megabyte of padding: keep the report readable.
    const report = (error as Error).message
      .split('\n')
      .map((line) => (line.length > 2000 ? `${line.slice(0, 2000)}… (${line.length} characters)` : line));
    throw new Error(
      `FUZZ_SEED=${SEED} FUZZ_SCALE=${process.env.FUZZ_SCALE ?? 1} replays this run\n${report.join('\n')}`,
      {
        cause: error,
      },
    );
  }
}

describe(`fuzzed inbound messages (FUZZ_SEED=${SEED}, ${CASES} cases)`, () => {
  it('raw WebSocket: every message is answered or the connection closes cleanly', async () => {
    await check(
      fc.tuple(fc.constantFrom(...Object.keys(RAW_PATHS)), rawFrame(investigationId)),
      ([target, frame]) => rawCase(target, frame),
      Math.ceil(CASES * 0.5),
    );
  });

  it('Socket.IO: every emit is acknowledged or the socket disconnects', async () => {
    await check(
      fc.tuple(fc.constantFrom('chat', 'investigations'), ioEmit(investigationId)),
      ([namespace, emit]) => ioCase(namespace, emit),
      Math.ceil(CASES * 0.35),
    );
  });

  it('Socket.IO packets past the client library: answered or closed', async () => {
    await check(ioPacket, packetCase, Math.ceil(CASES * 0.15));
  });

  it('leaves the process serving, with nothing logged at error level', async () => {
    expect(alive()).toBe(true);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(errorLines(0)).toEqual([]);
  });
});
