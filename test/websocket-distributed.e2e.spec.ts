import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { signToken } from '#platform';
import { openIo, type IoMessage } from '../apps/api/src/websocket/testing/io-client.testing.js';
import { connectWs, wsUrl, type WsMessage } from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { distributedDeployment } from './support/distributed-deployment.js';
import { startNode, type RunningProcess } from './support/node-process.js';
import { openSse } from './support/sse-client.js';

/**
 * Part 6 (scaling): two API processes and a worker on NATS JetStream and PostgreSQL. A
 * client on either API sees the same events (the store's live feed, LISTEN/NOTIFY), and
 * one chat owner's connections on different APIs see each other (typing over core NATS).
 */
const deployment = distributedDeployment('ws', {
  SYNTHETIC_CONTRACTS: '600',
  INVESTIGATION_PAGE_SIZE: '50',
  INVESTIGATION_STEP_DELAY_MS: '20',
});
const { env } = deployment;

const processes: RunningProcess[] = [];
const apis: Array<{ process: RunningProcess; url: string }> = [];
let token = '';

beforeAll(async () => {
  token = await signToken({ secret: deployment.jwtSecret, subject: 'ana', roles: ['analyst'], ttlSeconds: 600 });
  for (let i = 0; i < 2; i++) {
    const api = startNode('dist/apps/api/src/main.js', env);
    processes.push(api);
    const listening = await api.waitForLog((l) => l.msg === 'api listening');
    apis.push({ process: api, url: String(listening.url).replace('localhost', '127.0.0.1') });
  }
  const worker = startNode('dist/apps/workers/src/main.js', { ...env, WORKER_NAME: 'ws' });
  processes.push(worker);
  await worker.waitForLog((l) => l.msg === 'workers started');
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await deployment.dispose();
});

const [A, B] = [0, 1];
const events = (messages: WsMessage[]): WsMessage[] => messages.filter((m) => typeof m.id === 'number');
const strip = ({ stream: _s, ...m }: WsMessage | IoMessage): Record<string, unknown> => m;

describe('two API processes (distributed mode)', () => {
  it('give clients on either process the same events, on every transport', async () => {
    const res = await fetch(`${apis[A]?.url}/api/v1/investigations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'Análise geral de contratos', data_source: 'synthetic' }),
    });
    const { investigation_id: id } = (await res.json()) as { investigation_id: string };
    const onA = await connectWs(wsUrl(apis[A]?.url ?? '', `/api/v1/ws/investigations/${id}?token=${token}`));
    const onB = await connectWs(wsUrl(apis[B]?.url ?? '', `/api/v1/ws?token=${token}`));
    onB.send({ type: 'subscribe', stream: `investigation:${id}` });
    const io = openIo(`${apis[B]?.url}/investigations`, { auth: { token, investigationId: id } });
    try {
      await onA.closed;
      await onB.waitFor((m) => m.type === 'unsubscribed', 'the end on B');
      await io.waitFor((event, p) => event === 'unsubscribed' && p.reason === 'ended', 'the end over Socket.IO');
      const frames = await (
        await openSse(`${apis[B]?.url}/api/v1/investigations/stream/${id}`, {
          headers: { Authorization: `Bearer ${token}` },
        })
      ).done;
      expect(frames.at(-1)?.data.type).toBe('complete');
      const expected = frames.map((f) => ({ id: Number(f.id), ...f.data }));
      const anomalyFree = (m: Record<string, unknown>): Record<string, unknown> => {
        const { anomaly: _a, ...rest } = m;
        return rest;
      };
      expect(events(onA.messages).map(anomalyFree)).toEqual(expected);
      expect(events(onB.messages).map(strip).map(anomalyFree)).toEqual(expected);
      expect(io.received.filter((r) => typeof r.payload.id === 'number').map((r) => anomalyFree(r.payload))).toEqual(
        expected,
      );
    } finally {
      io.close();
      await onB.close();
    }
  }, 60_000);

  it("let a chat owner's connections on different processes see each other live", async () => {
    const sessionId = `s-${randomUUID()}`;
    const ana = await connectWs(wsUrl(apis[A]?.url ?? '', `/api/v1/ws/chat/${sessionId}?token=${token}`));
    const alsoAna = openIo(`${apis[B]?.url}/chat`, { auth: { token, sessionId } });
    try {
      await ana.waitFor((m) => m.type === 'history', 'the history on A');
      await alsoAna.waitFor((event) => event === 'history', 'the history on B');
      const ack = await alsoAna.request('message', { content: 'Olá, bom dia!' });
      expect(ack).toMatchObject({ type: 'ack', message_id: expect.any(String) });
      expect(await ana.waitFor((m) => m.type === 'user_message', 'the message on A')).toMatchObject({
        content: 'Olá, bom dia!',
        message_id: ack.message_id,
        user_id: 'ana',
      });
      await alsoAna.waitFor((event) => event === 'user_message', 'the message on B');
      ana.send({ type: 'typing' });
      expect(
        await alsoAna.waitFor((event, p) => event === 'typing' && p.user_id === 'ana', "ana's typing on B"),
      ).toMatchObject({ session_id: sessionId, is_typing: true });
      const [onA, onB] = await Promise.all([
        ana.waitFor((m) => m.type === 'agent_response' && m.is_final === true, 'the answer on A'),
        alsoAna.waitFor((event, p) => event === 'agent_response' && p.is_final === true, 'the answer on B'),
      ]);
      expect(onB).toEqual(onA);
    } finally {
      alsoAna.close();
      await ana.close();
    }
  }, 60_000);

  it('closes with 1008 and writes the refusal to the audit log', async () => {
    const client = await connectWs(wsUrl(apis[A]?.url ?? '', '/api/v1/ws/investigations/any-id?token=forged'));
    expect((await client.closed).code).toBe(1008);
    const line = await apis[A]?.process.waitForLog((l) => l.audit === 'websocket_refused');
    expect(line).toMatchObject({
      error_code: 'TOKEN_INVALID',
      path: '/api/v1/ws/investigations/any-id',
      ip: '127.0.0.1',
    });
    expect(JSON.stringify(line)).not.toContain('forged');
  });
});
