import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { newId } from '#platform';
import {
  connectWs,
  wsUrl,
  type WsMessage,
  type WsTestClient,
} from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';

let app: EmbeddedApp;
beforeAll(async () => {
  // A fixed key of derived ids: the seed example below needs an investigation id whose synthetic contracts have anomalies.
  app = await startEmbeddedApp({ ID_SECRET: 'websocket-chat-e2e-id-secret-0000000000' });
});
afterAll(async () => {
  await app?.stop();
});

const join = (sessionId: string, query = ''): Promise<WsTestClient> =>
  connectWs(wsUrl(app.url, `/api/v1/ws/chat/${sessionId}${query}`));
const isFinal = (m: WsMessage): boolean => m.type === 'agent_response' && m.is_final === true;
const chunks = (client: WsTestClient, messageId: unknown): string =>
  client.messages
    .filter((m) => m.type === 'agent_response' && m.is_final === false && m.message_id === messageId)
    .map((m) => String(m.content))
    .join('');

describe('/api/v1/ws/chat/{session_id}', () => {
  it("answers the seed's message with agent_status, streamed agent_response chunks, then the whole answer", async () => {
    const sessionId = `s-${newId()}`;
    const client = await join(sessionId);
    expect(await client.waitFor((m) => m.type === 'history', 'the history')).toMatchObject({
      session_id: sessionId,
      messages: [],
      last_event_id: 0,
    });
    client.send({ type: 'message', content: 'Olá, bom dia!', request_id: 'm1' });
    const ack = await client.waitFor((m) => m.type === 'ack', 'the ack');
    expect(ack).toEqual({
      type: 'ack',
      command: 'message',
      session_id: sessionId,
      message_id: expect.any(String),
      request_id: 'm1',
    });
    const final = await client.waitFor(isFinal, 'the final answer');
    expect(final).toMatchObject({
      session_id: sessionId,
      message_id: ack.message_id,
      agent_id: 'drummond',
      total_tokens: expect.any(Number),
      id: expect.any(Number),
    });
    expect(String(final.content)).toContain('Carlos Drummond de Andrade');
    expect(chunks(client, ack.message_id)).toBe(final.content);
    const statuses = client.messages.filter((m) => m.type === 'agent_status').map((m) => m.status);
    expect(statuses).toEqual(['detecting', 'intent_detected', 'agent_selected']);
    expect(client.messages.filter((m) => m.type === 'typing').map((m) => m.is_typing)).toEqual([true, false]);
    const ids = client.messages.filter((m) => typeof m.id === 'number').map((m) => Number(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    await client.close();
  });

  it("shows the owner's connections the same conversation live, with typing and user_message", async () => {
    const sessionId = `s-${newId()}`;
    const ana = await join(sessionId);
    // Started without a token: the session is bound to the secret handed out on joining, which ana's second connection sends.
    const secret = String((await ana.waitFor((m) => m.type === 'session', 'the session secret')).session_token);
    const bob = await join(sessionId, `?session_token=${encodeURIComponent(secret)}`);
    await Promise.all([
      ana.waitFor((m) => m.type === 'history', 'history'),
      bob.waitFor((m) => m.type === 'history', 'history'),
    ]);
    expect(bob.messages.some((m) => m.type === 'session')).toBe(false);
    ana.send({ type: 'message', content: 'Oi! Tudo bem?' });
    const said = await bob.waitFor((m) => m.type === 'user_message', "ana's message");
    expect(said).toMatchObject({
      session_id: sessionId,
      content: 'Oi! Tudo bem?',
      user_id: 'anonymous',
      id: expect.any(Number),
    });
    ana.send({ type: 'typing' });
    expect(await bob.waitFor((m) => m.type === 'typing' && m.user_id !== undefined, "ana's typing")).toMatchObject({
      session_id: sessionId,
      user_id: 'anonymous',
      is_typing: true,
    });
    const [seenByAna, seenByBob] = await Promise.all([
      ana.waitFor(isFinal, 'the answer'),
      bob.waitFor(isFinal, 'the answer'),
    ]);
    expect(seenByBob).toEqual(seenByAna);
    expect(ana.messages.filter((m) => m.type === 'typing' && m.user_id !== undefined)).toEqual([]);

    const late = await join(sessionId, `?session_token=${encodeURIComponent(secret)}`);
    const history = await late.waitFor((m) => m.type === 'history', 'the history');
    expect(history).toMatchObject({ session_id: sessionId, last_event_id: seenByAna.id });
    expect(history.messages).toEqual([
      expect.objectContaining({ role: 'user', content: 'Oi! Tudo bem?' }),
      expect.objectContaining({ role: 'assistant', status: 'completed', content: seenByAna.content }),
    ]);
    await Promise.all([ana.close(), bob.close(), late.close()]);
  });

  it('resumes after ?last_event_id= mid-answer: no history, only what was missed, and the whole final answer', async () => {
    const sessionId = `s-${newId()}`;
    const first = await join(sessionId);
    const secret = String((await first.waitFor((m) => m.type === 'session', 'the session secret')).session_token);
    first.send({ type: 'message', content: 'Olá, bom dia!' });
    const final = await first.waitFor(isFinal, 'the answer');
    const firstChunk = first.messages.find((m) => m.type === 'agent_response' && m.is_final === false);
    await first.close();
    const resumed = await join(
      sessionId,
      `?last_event_id=${firstChunk?.id}&session_token=${encodeURIComponent(secret)}`,
    );
    const again = await resumed.waitFor(isFinal, 'the answer again');
    expect(again).toEqual(final);
    expect(resumed.messages.some((m) => m.type === 'history')).toBe(false);
    expect(
      resumed.messages.filter((m) => typeof m.id === 'number').every((m) => Number(m.id) > Number(firstChunk?.id)),
    ).toBe(true);
    await resumed.close();
  });

  it('answers invalid messages with error messages', async () => {
    const client = await join(`s-${newId()}`);
    client.send({ type: 'message', content: '   ' });
    client.send({ type: 'message', content: 'oi', agent_id: 'nobody' });
    client.send({ type: 'subscribe', stream: 'chat:x' });
    client.send({ type: 'ping' });
    await client.waitFor((m) => m.type === 'pong', 'the pong');
    expect(client.messages.filter((m) => m.type === 'error').map((m) => m.error_code)).toEqual([
      'EMPTY_MESSAGE',
      'UNKNOWN_AGENT',
      'UNKNOWN_MESSAGE_TYPE',
    ]);
    await client.close();
  });
});

describe("the seed's client examples, unchanged", () => {
  it('JavaScript: the chat and investigation examples read agent_response, progress and anomaly', async () => {
    const sessionId = `session-${newId()}`;
    const responses: string[] = [];
    // Seed: "Send message" / "Receive response", with ws standing in for the browser's WebSocket.
    const ws = new WebSocket(wsUrl(app.url, `/api/v1/ws/chat/${sessionId}`));
    await once(ws, 'open');
    ws.send(JSON.stringify({ type: 'message', content: 'Quero investigar contratos' }));
    const answered = new Promise<void>((resolve) => {
      ws.onmessage = (event) => {
        const msg = JSON.parse(String(event.data)) as WsMessage;
        if (msg.type === 'agent_response') {
          responses.push(String(msg.content));
          if (msg.is_final) resolve();
        }
      };
    });
    await answered;
    ws.close();
    expect(responses.length).toBeGreaterThan(1);
    expect(responses.at(-1)).toBe(responses.slice(0, -1).join(''));

    // A fixed Idempotency-Key (under the fixed ID_SECRET) fixes the id, which seeds the synthetic contracts: this one has anomalies.
    const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': 'ws-e2e-seed-example-3' };
    const res = await fetch(`${app.url}/api/v1/investigations`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: 'Análise geral de contratos', data_source: 'synthetic' }),
    });
    const { investigation_id: id } = (await res.json()) as { investigation_id: string };
    const progress: number[] = [];
    const anomalies: unknown[] = [];
    const inv = new WebSocket(wsUrl(app.url, `/api/v1/ws/investigations/${id}`));
    inv.onmessage = (event) => {
      const update = JSON.parse(String(event.data)) as WsMessage;
      if (update.type === 'progress') progress.push(Number(update.progress));
      else if (update.type === 'anomaly') anomalies.push(update.anomaly);
    };
    await once(inv, 'close');
    expect(progress.at(-1)).toBe(100);
    expect(anomalies.length).toBeGreaterThan(0);
    expect(anomalies.every((a) => typeof (a as { anomaly_type?: unknown }).anomaly_type === 'string')).toBe(true);
  });

  const python = ['/usr/bin/python3', 'python3'].find((bin) => {
    try {
      execFileSync(bin, ['-c', 'import websockets'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  const pythonIt = python ? it : it.skip;
  if (!python)
    console.log(
      'skipping the Python example: no python3 with the websockets package (apt-get install python3-websockets)',
    );

  pythonIt('Python: the websockets example prints the streamed answer', async () => {
    const url = wsUrl(app.url, `/api/v1/ws/chat/session-${newId()}`);
    const example = [
      'import asyncio, json',
      'import websockets',
      'async def connect_websocket():',
      `    async with websockets.connect('${url}') as ws:`,
      "        await ws.send(json.dumps({'type': 'message', 'content': 'Hello'}))",
      '        async for message in ws:',
      '            data = json.loads(message)',
      '            print(data, flush=True)',
      'asyncio.run(connect_websocket())',
    ].join('\n');
    const child = spawn(python ?? 'python3', ['-c', example], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const finalLine = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out
          .split('\n')
          .find((l) => l.includes("'type': 'agent_response'") && l.includes("'is_final': True"));
        if (line) resolve(line);
      });
      child.once('exit', (code) => reject(new Error(`python exited (${code}) before the answer: ${out}`)));
    });
    try {
      expect(await finalLine).toContain("'content': '");
      expect(out).toContain("'type': 'history'");
    } finally {
      child.kill();
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    }
  });
});
