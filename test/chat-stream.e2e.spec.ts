import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chatStreamId } from '#chat';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { openSse, type SseFrame } from './support/sse-client.js';

const SEED_ORDER = ['start', 'detecting', 'intent', 'agent_selected'];

let app: EmbeddedApp;
beforeAll(async () => {
  app = await startEmbeddedApp();
});
afterAll(async () => {
  await app?.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
  fetch(`${app.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** Sessions started without a token are bound to the secret handed out in `start`; the test sends it back as a client would. */
const secrets = new Map<string, string>();
const withSecret = (sessionId: string): Record<string, string> => ({
  'X-Chat-Session-Token': secrets.get(sessionId) ?? '',
});

async function chat(body: Record<string, unknown>, init: RequestInit = {}): Promise<SseFrame[]> {
  const session = typeof body.session_id === 'string' ? withSecret(body.session_id) : {};
  const sse = await openSse(`${app.url}/api/v1/chat/stream`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...session },
    body: JSON.stringify(body),
    ...init,
  });
  expect(sse.status).toBe(200);
  const frames = await sse.done;
  if (typeof frames[0]?.data.session_token === 'string')
    secrets.set(String(frames[0].data.session_id), frames[0].data.session_token);
  return frames;
}

const types = (frames: SseFrame[]) => frames.map((f) => f.data.type);
const text = (frames: SseFrame[]) =>
  frames
    .filter((f) => f.data.type === 'chunk')
    .map((f) => String(f.data.content))
    .join('');
const sessionOf = (frames: SseFrame[]) => String(frames[0]?.data.session_id);

/** The seed's order: start, detecting, intent, agent_selected, at least one chunk, complete. */
function expectSeedOrder(frameTypes: unknown[]): void {
  expect(frameTypes.slice(0, 4)).toEqual(SEED_ORDER);
  expect(frameTypes.at(-1)).toBe('complete');
  const middle = frameTypes.slice(4, -1);
  expect(middle.length).toBeGreaterThan(0);
  expect(middle.every((t) => t === 'chunk')).toBe(true);
}

describe('POST /api/v1/chat/stream', () => {
  it('streams a greeting with exactly the seed events, in order, and stores the session', async () => {
    const sse = await openSse(`${app.url}/api/v1/chat/stream`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: 'Olá, bom dia!' }),
    });
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(sse.headers.get('x-accel-buffering')).toBe('no');
    const frames = await sse.done;
    expectSeedOrder(types(frames));
    expect(sse.raw()).not.toMatch(/^event:/m);
    expect(frames[2]?.data).toMatchObject({ type: 'intent', intent: 'greeting' });
    expect(Number(frames[2]?.data.confidence)).toBeGreaterThan(0.5);
    expect(Number(frames[2]?.data.confidence)).toBeLessThanOrEqual(1);
    expect(frames[3]?.data).toEqual({
      type: 'agent_selected',
      agent_id: 'drummond',
      agent_name: 'Carlos Drummond de Andrade',
    });
    expect(frames.at(-1)?.data).toEqual({ type: 'complete', total_tokens: expect.any(Number) });
    expect(text(frames)).toContain('Carlos Drummond de Andrade');
    const ids = frames.map((f) => Number(f.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const stored = await app.runtime.store.readStream(chatStreamId(sessionOf(frames)));
    expect(stored.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'MessageReceived',
        'IntentDetected',
        'AgentSelected',
        'ResponseChunkGenerated',
        'ResponseCompleted',
      ]),
    );
  });

  it('sends chunks that join into the stored answer exactly, whitespace and markdown included', async () => {
    const frames = await chat({ message: 'quem são os agentes do cidadão.ai?' });
    const history = (await (
      await fetch(`${app.url}/api/v1/chat/sessions/${sessionOf(frames)}`, { headers: withSecret(sessionOf(frames)) })
    ).json()) as { messages: Array<Record<string, unknown>> };
    const answer = history.messages.find((m) => m.role === 'assistant');
    expect(answer?.status).toBe('completed');
    expect(text(frames)).toBe(answer?.content);
    expect(text(frames)).toMatch(/:\n- \*\*Abaporu\*\* \(orquestrador\)[^\n]*\n- \*\*Zumbi dos Palmares\*\*/);
    expect(text(frames)).toContain('\n\n');
    expect(frames.filter((f) => f.data.type === 'chunk').length).toBeGreaterThan(10);
  });

  it('lets an explicit agent_id win over the intent', async () => {
    const frames = await chat({ message: 'Olá!', agent_id: 'tiradentes' });
    expect(frames[2]?.data).toMatchObject({ intent: 'greeting' });
    expect(frames[3]?.data).toEqual({ type: 'agent_selected', agent_id: 'tiradentes', agent_name: 'Tiradentes' });
    expect(text(frames)).toContain('Sou Tiradentes');
  });

  it('routes what it cannot understand to Abaporu', async () => {
    const frames = await chat({ message: 'qual a previsão do tempo para amanhã?' });
    expect(frames[2]?.data).toMatchObject({ intent: 'unknown' });
    expect(frames[3]?.data).toMatchObject({ agent_id: 'abaporu' });
  });

  it('keeps a conversation in one session and returns its history', async () => {
    const first = await chat({ message: 'Oi!' });
    const sessionId = sessionOf(first);
    const second = await chat({ message: 'obrigado pela ajuda', session_id: sessionId });
    expect(sessionOf(second)).toBe(sessionId);
    expect(Number(second[0]?.id)).toBeGreaterThan(Number(first.at(-1)?.id));
    const res = await fetch(`${app.url}/api/v1/chat/sessions/${sessionId}`, { headers: withSecret(sessionId) });
    expect(res.status).toBe(200);
    const history = (await res.json()) as {
      session_id: string;
      messages: Array<Record<string, unknown>>;
      last_event_id: number;
    };
    expect(history.session_id).toBe(sessionId);
    expect(history.messages.map((m) => [m.role, m.role === 'user' ? m.content : m.intent])).toEqual([
      ['user', 'Oi!'],
      ['assistant', 'greeting'],
      ['user', 'obrigado pela ajuda'],
      ['assistant', 'thanks'],
    ]);
    expect(history.last_event_id).toBe(Number(second.at(-1)?.id));
    expect((await fetch(`${app.url}/api/v1/chat/sessions/nobody-here`)).status).toBe(404);
  });

  it('resumes a cut-off answer from Last-Event-ID, or ?last_event_id=, with exactly the later events', async () => {
    const cut = await openSse(`${app.url}/api/v1/chat/stream`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: 'como você pode me ajudar?' }),
    });
    // Cut after the fourth frame: the routing and the first chunk, recorded in one append, may reach the client in one read.
    const seen = (await cut.waitFor(4)).slice(0, 4);
    cut.close();
    const sessionId = sessionOf(seen);
    const secret = String(seen[0]?.data.session_token);
    const lastId = String(seen.at(-1)?.id);
    const replay = await openSse(`${app.url}/api/v1/chat/sessions/${sessionId}/stream`, {
      headers: { 'X-Chat-Session-Token': secret },
    });
    const all = await replay.done;
    expectSeedOrder(types(all));
    expect(all[0]?.data).not.toHaveProperty('session_token');
    const later = all.filter((f) => Number(f.id) > Number(lastId));
    const resumed = await openSse(`${app.url}/api/v1/chat/sessions/${sessionId}/stream`, {
      headers: { 'Last-Event-ID': lastId, 'X-Chat-Session-Token': secret },
    });
    expect(await resumed.done).toEqual(later);
    const byQuery = await openSse(
      `${app.url}/api/v1/chat/sessions/${sessionId}/stream?last_event_id=${lastId}&session_token=${encodeURIComponent(secret)}`,
    );
    expect(await byQuery.done).toEqual(later);
    // The client has every answer to its end: 204, so an EventSource stops reconnecting.
    const atEnd = await fetch(`${app.url}/api/v1/chat/sessions/${sessionId}/stream`, {
      headers: { 'Last-Event-ID': String(all.at(-1)?.id), 'X-Chat-Session-Token': secret },
    });
    expect(atEnd.status).toBe(204);
    expect(await atEnd.text()).toBe('');
  });
});

describe('POST /api/v1/chat/message', () => {
  it('answers the same conversation as one JSON document', async () => {
    const res = await post('/api/v1/chat/message', { message: 'Olá, tudo bem?' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      agent_id: 'drummond',
      agent_name: 'Carlos Drummond de Andrade',
      intent: 'greeting',
      total_tokens: expect.any(Number),
    });
    expect(String(body.message)).toContain('Drummond');
    expect(res.headers.get('x-chat-session-token')).toBe(body.session_token);
    const headers = { 'X-Chat-Session-Token': String(body.session_token) };
    const history = (await (
      await fetch(`${app.url}/api/v1/chat/sessions/${String(body.session_id)}`, { headers })
    ).json()) as { messages: Array<Record<string, unknown>> };
    expect(history.messages.at(-1)?.content).toBe(body.message);
  });
});

describe('validation', () => {
  it('refuses empty, too long and non-text messages with a clear 400, recording nothing', async () => {
    const before = await app.runtime.store.headPosition();
    const json = { 'Content-Type': 'application/json' };
    const cases: Array<[unknown, Record<string, string>, string]> = [
      [{}, json, 'EMPTY_MESSAGE'],
      [{ message: '' }, json, 'EMPTY_MESSAGE'],
      [{ message: ' \n\t ' }, json, 'EMPTY_MESSAGE'],
      [{ message: 'a'.repeat(4001) }, json, 'MESSAGE_TOO_LONG'],
      [{ message: 42 }, json, 'INVALID_MESSAGE'],
      [{ message: ['oi'] }, json, 'INVALID_MESSAGE'],
      [{ message: { text: 'oi' } }, json, 'INVALID_MESSAGE'],
      [{ message: 'oi\u0000\u0001' }, json, 'INVALID_MESSAGE'],
      ['{"message": ', json, 'INVALID_JSON'],
      ['message=oi', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'INVALID_BODY'],
      [{ message: 'oi', agent_id: 'nobody' }, json, 'UNKNOWN_AGENT'],
      [{ message: 'oi', session_id: 'has spaces' }, json, 'VALIDATION_ERROR'],
    ];
    for (const path of ['/api/v1/chat/stream', '/api/v1/chat/message']) {
      for (const [body, headers, code] of cases) {
        const res = await post(path, body, headers);
        expect({ path, code, status: res.status }).toEqual({ path, code, status: 400 });
        expect(await res.json()).toEqual(expect.objectContaining({ error_code: code, message: expect.any(String) }));
      }
    }
    expect(await app.runtime.store.headPosition()).toBe(before);
  });

  it('accepts a message of exactly the maximum length', async () => {
    const res = await post('/api/v1/chat/message', { message: `oi ${'á'.repeat(3997)}` });
    expect(res.status).toBe(200);
  });
});
