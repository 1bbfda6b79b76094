import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import type { Logger } from '../logging/logger.js';
import { LlmError } from './llm.errors.js';
import type { LlmStreamPart } from './llm.port.js';
import { OpenAiCompatibleClient, type OpenAiCompatibleOptions } from './openai-compatible.client.js';
import { startFakeOpenAi, type FakeOpenAi } from './openai-fake.testing.js';

let fake: FakeOpenAi;
beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterAll(async () => {
  await fake?.stop();
});

const client = (options: Partial<OpenAiCompatibleOptions> = {}) =>
  new OpenAiCompatibleClient({
    name: 'test',
    baseUrl: `${fake.url}/v1/`,
    apiKey: 'k-123',
    defaultModel: 'sabia-3.1',
    timeoutMs: 10_000,
    retryDelayMs: 1,
    ...options,
  });
const ask = { messages: [{ role: 'user' as const, content: 'Olá, tudo bem?' }] };

async function collect(parts: AsyncIterable<LlmStreamPart>): Promise<{ parts: LlmStreamPart[]; error: unknown }> {
  const seen: LlmStreamPart[] = [];
  try {
    for await (const part of parts) seen.push(part);
    return { parts: seen, error: null };
  } catch (error) {
    return { parts: seen, error };
  }
}
const tokens = (parts: LlmStreamPart[]) => parts.flatMap((p) => (p.type === 'token' ? [p.content] : []));

/** Resolves when the fake server saw request `index` abandoned by the client. */
async function requestAt(index: number): Promise<void> {
  const request = fake.requests[index];
  if (!request) throw new Error(`request ${index} never arrived`);
  return request.abandoned;
}

/** A port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('OpenAI-compatible client against a local streaming server', () => {
  it('streams the tokens in order, then the upstream usage', async () => {
    fake.reply = () => ({
      kind: 'stream',
      tokens: ['Olá', '! Sou', ' o **Sabiá**\n\n- um'],
      usage: { prompt_tokens: 12, completion_tokens: 7 },
    });
    const before = fake.requests.length;
    const { parts, error } = await collect(client().streamChat({ ...ask, temperature: 0.2, maxTokens: 50 }));
    expect(error).toBeNull();
    expect(tokens(parts).join('')).toBe('Olá! Sou o **Sabiá**\n\n- um');
    expect(parts.at(-1)).toEqual({
      type: 'usage',
      usage: { model: 'sabia-3.1', promptTokens: 12, completionTokens: 7, totalTokens: 19, estimated: false },
    });
    const request = fake.requests[before];
    expect(request?.authorization).toBe('Bearer k-123');
    expect(request?.body).toMatchObject({
      model: 'sabia-3.1',
      stream: true,
      temperature: 0.2,
      max_tokens: 50,
      messages: ask.messages,
    });
  });

  it('estimates usage when the upstream sends none, under the requested model', async () => {
    fake.reply = () => ({ kind: 'stream', tokens: ['abcd', 'efgh'] });
    const { parts } = await collect(client().streamChat({ ...ask, model: 'sabiazinho-3' }));
    expect(parts.at(-1)).toEqual({
      type: 'usage',
      usage: { model: 'sabiazinho-3', promptTokens: 4, completionTokens: 2, totalTokens: 6, estimated: true },
    });
  });

  it('skips malformed lines and comments and still finishes the answer', async () => {
    fake.reply = () => ({
      kind: 'stream',
      tokens: ['um ', 'dois ', 'três'],
      junk: { after: 1, lines: ['data: {"choices": [', ': ping', 'data: 42', 'event: noise'] },
    });
    const { parts, error } = await collect(client().streamChat(ask));
    expect(error).toBeNull();
    expect(tokens(parts)).toEqual(['um ', 'dois ', 'três']);
  });

  it('reports a stream cut mid-answer as interrupted, after the tokens that arrived', async () => {
    // The cut comes once the client has read both tokens: a FIN read together with them would
    // error the body stream before its queued chunks are taken (Node 24's fetch drops them).
    let bothRead = (): void => undefined;
    const read = new Promise<void>((resolve) => (bothRead = resolve));
    fake.reply = () => ({
      kind: 'stream',
      tokens: ['um ', 'dois ', 'três'],
      pauseAfter: { index: 2, until: read },
      disconnectAfter: 2,
    });
    async function* watched(parts: AsyncIterable<LlmStreamPart>): AsyncIterable<LlmStreamPart> {
      let count = 0;
      for await (const part of parts) {
        if (part.type === 'token' && ++count === 2) bothRead();
        yield part;
      }
    }
    const { parts, error } = await collect(watched(client().streamChat(ask)));
    expect(tokens(parts)).toEqual(['um ', 'dois ']);
    expect(error).toMatchObject({ code: 'LLM_STREAM_INTERRUPTED', retryAfterSeconds: 2 });
  });

  it('turns HTTP refusals into errors without retrying them', async () => {
    const cases: Array<[number, string | undefined, object]> = [
      [401, undefined, { code: 'LLM_REFUSED', status: 401, retryAfterSeconds: null }],
      [429, '12', { code: 'LLM_RATE_LIMITED', retryAfterSeconds: 12 }],
      [503, '7', { code: 'LLM_UNAVAILABLE', retryAfterSeconds: 7 }],
    ];
    for (const [status, retryAfter, expected] of cases) {
      fake.reply = () => ({ kind: 'status', status, ...(retryAfter ? { retryAfter } : {}) });
      const before = fake.requests.length;
      const { parts, error } = await collect(client().streamChat(ask));
      expect(parts).toEqual([]);
      expect(error).toBeInstanceOf(LlmError);
      expect(error).toMatchObject(expected);
      expect(fake.requests.length - before).toBe(1);
    }
  });

  it('retries a refused connection a bounded number of times, then reports the upstream unavailable', async () => {
    const warnings: object[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (o) => void warnings.push(o),
      error: () => undefined,
      child: () => logger,
    };
    const port = await closedPort();
    const { error } = await collect(
      client({ baseUrl: `http://127.0.0.1:${port}`, connectRetries: 2, logger }).streamChat(ask),
    );
    expect(error).toMatchObject({ code: 'LLM_UNAVAILABLE', retryAfterSeconds: 5 });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'ECONNREFUSED', attempt: 1 }),
      expect.objectContaining({ code: 'ECONNREFUSED', attempt: 2 }),
    ]);
  });

  it('times out a silent upstream and closes the request', async () => {
    fake.reply = () => ({ kind: 'stream', tokens: ['um ', 'dois'], holdAfter: 1 });
    const before = fake.requests.length;
    const { parts, error } = await collect(client({ timeoutMs: 300 }).streamChat(ask));
    expect(tokens(parts)).toEqual(['um ']);
    expect(error).toMatchObject({ code: 'LLM_TIMEOUT' });
    await expect(requestAt(before)).resolves.toBeUndefined();
  });

  it('aborts the upstream request when the caller goes away', async () => {
    fake.reply = () => ({ kind: 'stream', tokens: ['um ', 'dois'], holdAfter: 1 });
    const before = fake.requests.length;
    const caller = new AbortController();
    const seen: string[] = [];
    let failure: unknown = null;
    try {
      for await (const part of client().streamChat({ ...ask, signal: caller.signal })) {
        if (part.type === 'token') seen.push(part.content);
        caller.abort(new Error('client left'));
      }
    } catch (error) {
      failure = error;
    }
    expect(seen).toEqual(['um ']);
    expect(failure).toEqual(new Error('client left'));
    await expect(requestAt(before)).resolves.toBeUndefined();
  });
});
