import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateHeldOut } from '#chat';
import { createRuntime, loadSections, Metrics, silentLogger } from '#platform';
import { startWorkersFromRuntime } from '#workers';
import { startApi } from '../../apps/api/src/bootstrap.js';
import { startFakeOpenAi } from '../../libs/platform/src/llm/openai-fake.testing.js';

/**
 * Time to first chunk and chunk throughput of POST /api/v1/chat/stream with 100 chat
 * streams open at once, in embedded mode (in-process bus, SQLite): every chunk is an
 * event appended by a worker and read back live by the API. Two writers: the composer
 * (no language model) and a local OpenAI-compatible server streaming 60 tokens. Clients
 * and server share this process, so the figures are a floor, not a capacity.
 *
 *   npm run build && node dist/bench/chat/chat-stream.bench.js
 */
const STREAMS = Number(process.env.CHAT_BENCH_STREAMS ?? 100);
const ROUNDS = 3;
const MESSAGES = [
  'Olá, como você pode me ajudar?',
  'Oi, tudo bem?',
  'O que é o Cidadão.AI?',
  'muito obrigado!',
  'me ajuda a usar o chat',
];
const TOKENS = Array.from({ length: 60 }, (_, i) => (i % 12 === 11 ? 'palavra.\n' : `palavra${i} `));

interface StreamResult {
  readonly firstChunkMs: number;
  readonly totalMs: number;
  readonly chunks: number;
  readonly characters: number;
}

/** Reads one chat stream to its end, timing the first `chunk` event. */
async function chatOnce(url: string, message: string, encoding: string): Promise<StreamResult> {
  const started = performance.now();
  const headers = { 'Content-Type': 'application/json', 'Accept-Encoding': encoding };
  const response = await fetch(`${url}/api/v1/chat/stream`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ message }),
  });
  if (response.status !== 200 || !response.body)
    throw new Error(`chat answered ${response.status}: ${await response.text()}`);
  const decoder = new TextDecoder();
  let buffer = '';
  let firstChunkMs = -1;
  let chunks = 0;
  let characters = 0;
  let complete = false;
  for await (const piece of response.body as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(piece, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = frame.split('\n').find((line) => line.startsWith('data: '));
      if (!data) continue;
      const { type, content } = JSON.parse(data.slice(6)) as { type: string; content?: string };
      if (type === 'chunk' && chunks++ === 0) firstChunkMs = performance.now() - started;
      characters += content?.length ?? 0;
      if (type === 'complete') complete = true;
      if (type === 'error') throw new Error(`chat stream failed: ${data}`);
    }
  }
  if (!complete || firstChunkMs < 0) throw new Error('a chat stream ended without its answer');
  return { firstChunkMs, totalMs: performance.now() - started, chunks, characters };
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0;
const ms = (value: number): string => `${value.toFixed(0)} ms`;

/** ROUNDS rounds of STREAMS concurrent streams, after a warm-up; one table row. */
async function measure(label: string, url: string, encoding = 'identity'): Promise<void> {
  await Promise.all(MESSAGES.map((m) => chatOnce(url, m, encoding)));
  const results: StreamResult[] = [];
  let wallMs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    results.push(
      ...(await Promise.all(
        Array.from({ length: STREAMS }, (_, i) => chatOnce(url, MESSAGES[i % MESSAGES.length] ?? 'Olá', encoding)),
      )),
    );
    wallMs += performance.now() - started;
  }
  const ttfc = results.map((r) => r.firstChunkMs).sort((a, b) => a - b);
  const total = results.map((r) => r.totalMs).sort((a, b) => a - b);
  const chunks = results.reduce((sum, r) => sum + r.chunks, 0);
  const characters = results.reduce((sum, r) => sum + r.characters, 0);
  console.log(
    `| ${label} | ${STREAMS} × ${ROUNDS} | ${ms(percentile(ttfc, 0.5))} | ${ms(percentile(ttfc, 0.95))} | ${ms(percentile(total, 0.5))} | ${ms(percentile(total, 0.95))} | ${(chunks / results.length).toFixed(0)} | ${(chunks / (wallMs / 1000)).toFixed(0)} | ${(characters / (wallMs / 1000) / 1000).toFixed(0)} k |`,
  );
}

async function withApp(env: Record<string, string>, run: (url: string) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cidadao-bench-chat-'));
  const settings = loadSections({
    DATA_DIR: dataDir,
    RATE_LIMIT_PER_MINUTE_IP: '0',
    MAX_STREAMS_PER_IP: '100000',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const runtime = await createRuntime(settings, silentLogger, new Metrics());
  const workers = await startWorkersFromRuntime(runtime);
  const api = await startApi(runtime, 0, '127.0.0.1');
  try {
    await run(api.url);
  } finally {
    await api.close();
    await workers.stop();
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const held = evaluateHeldOut();
  console.log(
    `Intent classifier: ${(held.accuracy * 100).toFixed(1)}% on ${held.total} held-out utterances (${held.correct} correct).\n`,
  );
  console.log(
    '| writer | streams × rounds | first chunk p50 | first chunk p95 | full answer p50 | full answer p95 | chunks per answer | chunks/s (all streams) | answer characters/s |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  await withApp({}, async (url) => {
    await measure('composer (no LLM)', url);
    await measure('composer, gzip as browsers ask', url, 'gzip');
  });
  const fake = await startFakeOpenAi(() => ({
    kind: 'stream',
    tokens: TOKENS,
    usage: { prompt_tokens: 200, completion_tokens: TOKENS.length },
  }));
  try {
    await withApp({ LLM_BASE_URL: fake.url, LLM_MODEL: 'bench-model' }, (url) =>
      measure(`LLM, local server, ${TOKENS.length} tokens`, url),
    );
  } finally {
    await fake.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
