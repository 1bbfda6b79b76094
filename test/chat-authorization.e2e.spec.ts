import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chatStreamId } from '#chat';
import { deterministicUuid } from '#platform';
import { openIo } from '../apps/api/src/websocket/testing/io-client.testing.js';
import { connectWs, wsUrl } from '../apps/api/src/websocket/testing/ws-client.testing.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { openSse } from './support/sse-client.js';

/** The chat may not tell or do anything the routes it stands for would refuse. */
let app: EmbeddedApp;
let investigationId = '';
const tokens: Record<string, string> = {};
const bearer = (who: string): Record<string, string> => (tokens[who] ? { Authorization: `Bearer ${tokens[who]}` } : {});
const json = { 'Content-Type': 'application/json' };

type Answer = {
  session_id: string;
  message_id: string;
  message: string;
  investigation_id: string | null;
  session_token?: string;
};

async function ask(who: string, message: string, extra: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(`${app.url}/api/v1/chat/message`, {
    method: 'POST',
    headers: { ...json, ...bearer(who) },
    body: JSON.stringify({ message, ...extra }),
  });
  expect({ who, status: res.status }).toEqual({ who, status: 200 });
  return (await res.json()) as Answer;
}

beforeAll(async () => {
  app = await startEmbeddedApp({
    JWT_SECRET: 'chat-authorization-secret-0123456789',
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_PER_MINUTE_IP: '0',
  });
  for (const [sub, role] of [
    ['ana', 'analyst'],
    ['bob', 'analyst'],
    ['vera', 'viewer'],
    ['carol', 'auditor'],
    ['root', 'admin'],
  ] as const)
    tokens[sub] = await app.token(sub, role);
  const res = await fetch(`${app.url}/api/v1/investigations`, {
    method: 'POST',
    headers: { ...json, ...bearer('ana') },
    body: JSON.stringify({ query: 'contratos de saúde', data_source: 'synthetic' }),
  });
  investigationId = ((await res.json()) as { investigation_id: string }).investigation_id;
  await (
    await openSse(`${app.url}/api/v1/investigations/stream/${investigationId}`, { headers: bearer('ana') })
  ).done;
});
afterAll(async () => {
  await app?.stop();
});

describe('chat with auth required', () => {
  it('answers 401 with a Bearer challenge to a chat request without a token', async () => {
    for (const path of ['/api/v1/chat/message', '/api/v1/chat/stream']) {
      const res = await fetch(`${app.url}${path}`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ message: `Qual o status da investigação ${investigationId}?` }),
      });
      expect({ path, status: res.status, challenge: res.headers.get('www-authenticate') }).toEqual({
        path,
        status: 401,
        challenge: 'Bearer realm="cidadao-ai"',
      });
      expect(await res.json()).toMatchObject({ error_code: 'UNAUTHORIZED' });
    }
    const ws = await connectWs(wsUrl(app.url, '/api/v1/ws/chat/some-session'));
    expect((await ws.closed).code).toBe(1008);
  });

  it('tells status and anomalies only about investigations the caller may GET, as if other ids did not exist', async () => {
    const unknown = await ask('bob', 'Qual o status da investigação 00000000-0000-4000-8000-000000000000?');
    for (const question of [
      `Qual o status da investigação ${investigationId}?`,
      `Explique a anomalia mais grave da investigação ${investigationId}`,
    ]) {
      for (const who of ['bob', 'vera']) {
        const answer = await ask(who, question);
        expect({ who, question, leaks: answer.message.includes(investigationId) }).toEqual({
          who,
          question,
          leaks: false,
        });
      }
    }
    expect((await ask('bob', `Qual o status da investigação ${investigationId}?`)).message).toBe(unknown.message);
    for (const who of ['ana', 'carol', 'root']) {
      const answer = await ask(who, `Qual o status da investigação ${investigationId}?`);
      expect({
        who,
        told: answer.message.includes(investigationId) && answer.message.includes('foi concluída'),
      }).toEqual({ who, told: true });
    }
  });

  it('starts an investigation only for investigation:start, and says so otherwise, sending nothing', async () => {
    for (const who of ['vera', 'carol']) {
      const answer = await ask(who, 'Quero investigar os contratos da saúde');
      expect({ who, answer: answer.message, investigation: answer.investigation_id }).toEqual({
        who,
        answer: expect.stringContaining('não tem permissão para iniciar investigações'),
        investigation: null,
      });
      const wouldBe = deterministicUuid('chat-investigation', answer.session_id, answer.message_id);
      expect(
        await app.runtime.bus.firstAccepted({ aggregate: 'investigation', id: wouldBe }, 'StartInvestigation'),
      ).toBeNull();
    }
    const started = await ask('ana', 'Quero investigar os contratos da saúde');
    expect(started.investigation_id).not.toBeNull();
  });
});

describe('chat sessions', () => {
  let session = '';
  const history = (who: string, id = session, headers: Record<string, string> = {}) =>
    fetch(`${app.url}/api/v1/chat/sessions/${id}`, { headers: { ...bearer(who), ...headers } });

  beforeAll(async () => {
    session = (await ask('ana', 'Olá!')).session_id;
  });

  it("are their owner's: others get 404 reading, streaming and posting, and nothing is recorded", async () => {
    const before = (await app.runtime.store.readStream(chatStreamId(session))).length;
    for (const who of ['bob', 'vera']) {
      expect({ who, status: (await history(who)).status }).toEqual({ who, status: 404 });
      expect({
        who,
        status: (await fetch(`${app.url}/api/v1/chat/sessions/${session}/stream`, { headers: bearer(who) })).status,
      }).toEqual({ who, status: 404 });
      for (const path of ['/api/v1/chat/message', '/api/v1/chat/stream']) {
        const res = await fetch(`${app.url}${path}`, {
          method: 'POST',
          headers: { ...json, ...bearer(who) },
          body: JSON.stringify({ message: 'Olá', session_id: session }),
        });
        expect({ who, path, status: res.status, body: await res.json() }).toMatchObject({
          who,
          path,
          status: 404,
          body: { error_code: 'SESSION_NOT_FOUND' },
        });
      }
    }
    expect((await app.runtime.store.readStream(chatStreamId(session))).length).toBe(before);
    expect((await history('ana')).status).toBe(200);
  });

  it('may be read, not posted into, by auditors and admins', async () => {
    for (const who of ['carol', 'root']) {
      expect({ who, status: (await history(who)).status }).toEqual({ who, status: 200 });
      const res = await fetch(`${app.url}/api/v1/chat/message`, {
        method: 'POST',
        headers: { ...json, ...bearer(who) },
        body: JSON.stringify({ message: 'Olá', session_id: session }),
      });
      expect({ who, status: res.status }).toEqual({ who, status: 403 });
    }
  });

  it('refuse another user on the chat WebSocket, Socket.IO and the general endpoint', async () => {
    const raw = await connectWs(wsUrl(app.url, `/api/v1/ws/chat/${session}?token=${tokens.bob}`));
    expect(await raw.waitFor((m) => m.type === 'error', 'the refusal')).toMatchObject({
      error_code: 'SESSION_NOT_FOUND',
    });
    expect((await raw.closed).code).toBe(4404);
    expect(raw.messages.some((m) => m.type === 'history')).toBe(false);

    const io = openIo(`${app.url}/chat`, { auth: { token: tokens.bob, sessionId: session } });
    try {
      expect(await io.waitFor((event) => event === 'disconnect_reason', 'the disconnection')).toMatchObject({
        code: 4404,
      });
      expect(io.received.some((r) => r.event === 'history')).toBe(false);
    } finally {
      io.close();
    }

    const general = await connectWs(wsUrl(app.url, `/api/v1/ws?token=${tokens.bob}`));
    general.send({ type: 'subscribe', stream: `chat:${session}` });
    expect(await general.waitFor((m) => m.type === 'error', 'the refusal')).toMatchObject({
      error_code: 'SESSION_NOT_FOUND',
      stream: `chat:${session}`,
    });
    expect(general.messages.some((m) => typeof m.id === 'number')).toBe(false);
    await general.close();
  });
});

describe('anonymous sessions (embedded mode without required auth)', () => {
  let open: EmbeddedApp;
  beforeAll(async () => {
    open = await startEmbeddedApp();
  });
  afterAll(async () => {
    await open?.stop();
  });

  it('are bound to the secret handed to their creator, which no one else holds', async () => {
    const res = await fetch(`${open.url}/api/v1/chat/message`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ message: 'Olá' }),
    });
    const first = (await res.json()) as Answer;
    expect(first.session_token).toEqual(expect.any(String));
    expect(res.headers.get('x-chat-session-token')).toBe(first.session_token);
    const secret = { 'X-Chat-Session-Token': String(first.session_token) };
    const get = (headers: Record<string, string> = {}, query = '') =>
      fetch(`${open.url}/api/v1/chat/sessions/${first.session_id}${query}`, { headers });
    expect((await get()).status).toBe(404);
    expect((await get({ 'X-Chat-Session-Token': 'x'.repeat(43) })).status).toBe(404);
    expect((await get(secret)).status).toBe(200);
    expect((await get({}, `?session_token=${encodeURIComponent(String(first.session_token))}`)).status).toBe(200);
    const post = (headers: Record<string, string>) =>
      fetch(`${open.url}/api/v1/chat/message`, {
        method: 'POST',
        headers: { ...json, ...headers },
        body: JSON.stringify({ message: 'Obrigado!', session_id: first.session_id }),
      });
    expect((await post({})).status).toBe(404);
    const second = await post(secret);
    expect(second.status).toBe(200);
    expect(await second.json()).not.toHaveProperty('session_token');

    const stored = JSON.stringify(await open.runtime.store.readStream(chatStreamId(first.session_id)));
    expect(stored).not.toContain(String(first.session_token));
    const stranger = await connectWs(wsUrl(open.url, `/api/v1/ws/chat/${first.session_id}`));
    expect((await stranger.closed).code).toBe(4404);
    const owner = await connectWs(
      wsUrl(
        open.url,
        `/api/v1/ws/chat/${first.session_id}?session_token=${encodeURIComponent(String(first.session_token))}`,
      ),
    );
    expect(await owner.waitFor((m) => m.type === 'history', 'the history')).toMatchObject({
      session_id: first.session_id,
    });
    await owner.close();
  });

  it("hand a WebSocket client that starts a session its secret first, and keep the seed's example working", async () => {
    const client = await connectWs(wsUrl(open.url, '/api/v1/ws/chat/session-123'));
    const welcome = await client.waitFor((m) => m.type === 'session', 'the session secret');
    expect(welcome).toEqual({ type: 'session', session_id: 'session-123', session_token: expect.any(String) });
    client.send({ type: 'message', content: 'Quero investigar contratos' });
    expect(
      await client.waitFor((m) => m.type === 'agent_response' && m.is_final === true, 'the answer', 0, 60_000),
    ).toMatchObject({ session_id: 'session-123' });
    await client.close();
    // The id is now taken: without its secret, a second client is refused.
    const late = await connectWs(wsUrl(open.url, '/api/v1/ws/chat/session-123'));
    expect((await late.closed).code).toBe(4404);
  });
});
