import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startFakeOpenAi, type FakeOpenAi } from '../libs/platform/src/llm/openai-fake.testing.js';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { openSse, type SseFrame } from './support/sse-client.js';

const run = promisify(execFile);
const DIRECT = '/api/v1/chat/direct/maritaca/stream';
const FALLBACK = '/api/v1/chat/message';

let fake: FakeOpenAi;
let app: EmbeddedApp;
beforeAll(async () => {
  fake = await startFakeOpenAi();
  app = await startEmbeddedApp({ MARITACA_API_KEY: 'test-key', MARITACA_BASE_URL: fake.url, LLM_TIMEOUT_MS: '20000' });
});
afterAll(async () => {
  await app?.stop();
  await fake?.stop();
});

const json = { 'Content-Type': 'application/json' };
const ask = (content = 'Analise contratos de saúde', extra: Record<string, unknown> = {}) => ({
  messages: [{ role: 'user', content }],
  stream: true,
  ...extra,
});

async function direct(body: unknown, base = app.url): Promise<SseFrame[]> {
  const sse = await openSse(`${base}${DIRECT}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
  expect(sse.status).toBe(200);
  return sse.done;
}
const tokensOf = (frames: SseFrame[]) => frames.filter((f) => f.data.type === 'token').map((f) => f.data.content);
const chunksOf = (frames: SseFrame[]) =>
  frames
    .filter((f) => f.data.type === 'chunk')
    .map((f) => String(f.data.content))
    .join('');

describe('POST /api/v1/chat/direct/maritaca/stream', () => {
  it("answers the seed's curl example with token, usage (with cost) and done", async () => {
    fake.reply = () => ({
      kind: 'stream',
      tokens: ['Os contratos', ' de saúde', ' somam…'],
      usage: { prompt_tokens: 20, completion_tokens: 10 },
    });
    const before = fake.requests.length;
    const { stdout } = await run('curl', [
      '-sS',
      '-X',
      'POST',
      `${app.url}${DIRECT}`,
      '-H',
      'Content-Type: application/json',
      '-d',
      '{\n    "messages": [\n      {"role": "user", "content": "Analise contratos de saúde"}\n    ],\n    "stream": true\n  }',
      '--no-buffer',
    ]);
    const events = stdout
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);
    expect(events).toEqual([
      { type: 'token', content: 'Os contratos' },
      { type: 'token', content: ' de saúde' },
      { type: 'token', content: ' somam…' },
      {
        type: 'usage',
        tokens: 30,
        cost: 0.0002,
        prompt_tokens: 20,
        completion_tokens: 10,
        model: 'sabia-3.1',
        estimated: false,
      },
      { type: 'done' },
    ]);
    expect(fake.requests[before]).toMatchObject({
      authorization: 'Bearer test-key',
      body: { model: 'sabia-3.1', stream: true, messages: [{ role: 'user', content: 'Analise contratos de saúde' }] },
    });
  });

  it('prices the model asked for, and estimates usage the upstream did not send', async () => {
    fake.reply = () => ({ kind: 'stream', tokens: ['abcd', 'efgh'] });
    const frames = await direct(ask('abcdefgh', { model: 'sabiazinho-3', temperature: 0.3, max_tokens: 64 }));
    expect(frames.map((f) => f.data)).toEqual([
      { type: 'token', content: 'abcd' },
      { type: 'token', content: 'efgh' },
      {
        type: 'usage',
        tokens: 4,
        cost: 0.000008,
        prompt_tokens: 2,
        completion_tokens: 2,
        model: 'sabiazinho-3',
        estimated: true,
      },
      { type: 'done' },
    ]);
    expect(fake.requests.at(-1)?.body).toMatchObject({ model: 'sabiazinho-3', temperature: 0.3, max_tokens: 64 });
  });

  it('skips a malformed chunk and finishes the answer', async () => {
    fake.reply = () => ({
      kind: 'stream',
      tokens: ['um ', 'dois'],
      junk: { after: 1, lines: ['data: {"choices": [{"delta": '] },
    });
    const frames = await direct(ask());
    expect(tokensOf(frames)).toEqual(['um ', 'dois']);
    expect(frames.at(-1)?.data).toEqual({ type: 'done' });
  });

  it('ends with the seed error event when the upstream breaks off mid-answer', async () => {
    fake.reply = () => ({ kind: 'stream', tokens: ['um ', 'dois ', 'três'], disconnectAfter: 2 });
    const frames = await direct(ask());
    expect(tokensOf(frames)).toEqual(['um ', 'dois ']);
    expect(frames.at(-1)?.data).toEqual({
      type: 'error',
      error_code: 'LLM_STREAM_INTERRUPTED',
      message: expect.any(String),
      fallback_endpoint: FALLBACK,
      retry_after: 2,
    });
    expect(frames.some((f) => f.data.type === 'done')).toBe(false);
  });

  it('turns an upstream refusal or outage into the seed error event', async () => {
    fake.reply = () => ({ kind: 'status', status: 503, retryAfter: '9' });
    expect((await direct(ask())).map((f) => f.data)).toEqual([
      {
        type: 'error',
        error_code: 'LLM_UNAVAILABLE',
        message: 'Serviço temporariamente indisponível',
        fallback_endpoint: FALLBACK,
        retry_after: 9,
      },
    ]);
    fake.reply = () => ({ kind: 'status', status: 401 });
    expect((await direct(ask())).map((f) => f.data)).toEqual([
      {
        type: 'error',
        error_code: 'LLM_REFUSED',
        message: expect.any(String),
        fallback_endpoint: FALLBACK,
        retry_after: null,
      },
    ]);
  });

  it('aborts the upstream request when the client disconnects', async () => {
    fake.reply = () => ({ kind: 'stream', tokens: ['um ', 'dois'], holdAfter: 1 });
    const before = fake.requests.length;
    const sse = await openSse(`${app.url}${DIRECT}`, { method: 'POST', headers: json, body: JSON.stringify(ask()) });
    expect((await sse.waitFor(1))[0]?.data).toEqual({ type: 'token', content: 'um ' });
    const upstream = (await fake.waitForRequests(before + 1))[before];
    if (!upstream) throw new Error('the upstream request never arrived');
    sse.close();
    // Resolves only when the fake server sees its request's connection close.
    await expect(upstream.abandoned).resolves.toBeUndefined();
  });

  it('answers as one JSON document with stream false, and refuses a bad body with 400', async () => {
    fake.reply = () => ({ kind: 'stream', tokens: ['Olá', '!'], usage: { prompt_tokens: 3, completion_tokens: 2 } });
    const res = await fetch(`${app.url}${DIRECT}`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(ask('oi', { stream: false })),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      content: 'Olá!',
      model: 'sabia-3.1',
      usage: { tokens: 5, cost: 0.000035, prompt_tokens: 3, completion_tokens: 2, estimated: false },
    });
    for (const body of [
      {},
      { messages: [] },
      { messages: [{ role: 'robot', content: 'x' }] },
      { messages: [{ role: 'user', content: 'x' }], temperature: 9 },
    ]) {
      const bad = await fetch(`${app.url}${DIRECT}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error_code: 'VALIDATION_ERROR' });
    }
  });
});

describe('chat answers written by the language model', () => {
  it('streams the model tokens as chunks, in the seed order, with its token count', async () => {
    fake.reply = () => ({
      kind: 'stream',
      tokens: ['Olá! ', 'Sou o **Drummond**', ',\n\nem que posso ajudar?'],
      usage: { prompt_tokens: 120, completion_tokens: 30 },
    });
    const before = fake.requests.length;
    const sse = await openSse(`${app.url}/api/v1/chat/stream`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ message: 'Olá!' }),
    });
    const frames = await sse.done;
    expect(frames.map((f) => f.data.type).slice(0, 4)).toEqual(['start', 'detecting', 'intent', 'agent_selected']);
    expect(chunksOf(frames)).toBe('Olá! Sou o **Drummond**,\n\nem que posso ajudar?');
    expect(frames.at(-1)?.data).toEqual({ type: 'complete', total_tokens: 150 });
    const prompt = fake.requests[before]?.body.messages as Array<{ role: string; content: string }>;
    expect(prompt[0]).toMatchObject({ role: 'system', content: expect.stringContaining('Carlos Drummond de Andrade') });
    expect(prompt.at(-1)).toEqual({ role: 'user', content: 'Olá!' });
  });

  it('answers from the facts when the model is down before its first token', async () => {
    fake.reply = () => ({ kind: 'status', status: 503 });
    const sse = await openSse(`${app.url}/api/v1/chat/stream`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ message: 'Oi, tudo bem?' }),
    });
    const frames = await sse.done;
    expect(chunksOf(frames)).toContain('Sou Carlos Drummond de Andrade');
    expect(frames.at(-1)?.data.type).toBe('complete');
  });

  it('ends an answer the model broke off with what it said and a note', async () => {
    fake.reply = () => ({ kind: 'stream', tokens: ['Começo ', 'da resposta ', 'perdido'], disconnectAfter: 2 });
    const sse = await openSse(`${app.url}/api/v1/chat/stream`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ message: 'Olá' }),
    });
    const frames = await sse.done;
    expect(chunksOf(frames)).toMatch(/^Começo da resposta \n\n_\(A resposta foi interrompida/);
    expect(frames.at(-1)?.data.type).toBe('complete');
  });

  it('resumes an answer cut off while the model is still writing it', async () => {
    let release: () => void = () => undefined;
    const until = new Promise<void>((resolve) => (release = resolve));
    fake.reply = () => ({
      kind: 'stream',
      tokens: ['Primeira ', 'parte; ', 'e o ', 'resto.'],
      pauseAfter: { index: 2, until },
    });
    const cut = await openSse(`${app.url}/api/v1/chat/stream`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ message: 'Olá' }),
    });
    const seen = await cut.waitFor(5);
    cut.close();
    expect(seen.at(-1)?.data.type).toBe('chunk');
    const sessionId = String(seen[0]?.data.session_id);
    const secret = String(seen[0]?.data.session_token);
    const resumed = await openSse(`${app.url}/api/v1/chat/sessions/${sessionId}/stream`, {
      headers: { 'Last-Event-ID': String(seen.at(-1)?.id), 'X-Chat-Session-Token': secret },
    });
    release();
    const rest = await resumed.done;
    expect(rest.at(-1)?.data.type).toBe('complete');
    expect(chunksOf(seen) + chunksOf(rest)).toBe('Primeira parte; e o resto.');
  });
});

describe('with no language model configured', () => {
  let bare: EmbeddedApp;
  beforeAll(async () => {
    bare = await startEmbeddedApp();
  });
  afterAll(async () => {
    await bare?.stop();
  });

  it('sends the seed error event at once from the direct endpoint', async () => {
    const frames = await direct(ask(), bare.url);
    expect(frames.map((f) => f.data)).toEqual([
      {
        type: 'error',
        error_code: 'LLM_NOT_CONFIGURED',
        message: expect.any(String),
        fallback_endpoint: FALLBACK,
        retry_after: null,
      },
    ]);
  });
});
