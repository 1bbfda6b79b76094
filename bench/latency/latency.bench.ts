import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { headerOf, jsonBodyOf, jsonEnded, LAST_CHUNK, RawHttpClient, statusOf } from './raw-http-client.js';
import { nowMs, STAGES, type Stage } from './stage-trace.js';
import type { TracedApiReply, TracedApiRequest } from './traced-api.js';

/**
 * Command to first event: 100 conversations (or investigations) started at once through
 * POST over real HTTP against the API and its workers in a process of their own, timing
 * POST → first `chunk` of POST /api/v1/chat/stream and POST /api/v1/investigations → first
 * event of its stream, with where the time went (stages timed inside the API process).
 * The environment's settings apply (EVENT_STORE, DATABASE_URL, NATS_URL: distributed adapters).
 *
 *   npm run bench:latency
 */
const CONVERSATIONS = Number(process.env.LATENCY_BENCH_CONVERSATIONS ?? 100);
const ROUNDS = Number(process.env.LATENCY_BENCH_ROUNDS ?? 3);
/** Investigations left running while chat is measured: more than the workers have slots. */
const BACKGROUND_RUNS = 24;
/** Chat alone, e.g. to profile the API process (LATENCY_BENCH_API_ARGS=--cpu-prof). */
const CHAT_ONLY = process.env.LATENCY_BENCH_CHAT_ONLY === '1';
const MESSAGES = ['Olá, como você pode me ajudar?', 'Oi, tudo bem?', 'O que é o Cidadão.AI?', 'muito obrigado!'];

interface Sample {
  readonly id: string;
  readonly postedAt: number;
  readonly firstAt: number;
  /** When its round's first request was posted (set by `measure`). */
  readonly roundAt?: number;
}

type Trace = Record<string, Partial<Record<Stage, number>>>;

const CHUNK = '"type":"chunk"';
const COMPLETE = '"type":"complete"';

async function chatOnce(client: RawHttpClient, message: string): Promise<Sample> {
  const postedAt = nowMs();
  const { text, markedAt } = await client.request(
    {
      method: 'POST',
      path: '/api/v1/chat/stream',
      headers: { 'X-Correlation-ID': randomUUID() },
      body: { message },
      mark: CHUNK,
      ended: (answer) => answer.endsWith(LAST_CHUNK),
    },
    nowMs,
  );
  if (statusOf(text) !== '200' || !text.includes(COMPLETE) || markedAt < 0)
    throw new Error(`chat answered ${text.slice(0, 300)}`);
  return { id: headerOf(text, 'x-session-id'), postedAt, firstAt: markedAt };
}

/** Started on a kept-alive connection; its stream on a connection of its own, as an EventSource opens one. */
async function investigationOnce(client: RawHttpClient, url: string): Promise<Sample> {
  const postedAt = nowMs();
  const started = await client.request(
    {
      method: 'POST',
      path: '/api/v1/investigations',
      headers: { 'X-Correlation-ID': randomUUID() },
      body: { query: 'contratos de saúde acima do preço', data_source: 'contracts' },
      mark: '',
      ended: jsonEnded,
    },
    nowMs,
  );
  if (statusOf(started.text) !== '202') throw new Error(`investigation answered ${started.text.slice(0, 300)}`);
  const { investigation_id: id } = jsonBodyOf<{ investigation_id: string }>(started.text);
  const stream = await RawHttpClient.open(url);
  try {
    const { text, markedAt } = await stream.request(
      {
        method: 'GET',
        path: `/api/v1/investigations/stream/${id}`,
        mark: '\ndata: ',
        ended: (answer) => answer.includes('\ndata: '),
      },
      nowMs,
    );
    if (statusOf(text) !== '200') throw new Error(`investigation stream answered ${text.slice(0, 300)}`);
    return { id, postedAt, firstAt: markedAt };
  } finally {
    stream.close();
  }
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)] ?? Number.NaN;
const row = (label: string, values: number[]): string => {
  const sorted = [...values].sort((a, b) => a - b);
  const cells = [0.5, 0.9, 0.99, 1].map((p) => percentile(sorted, p).toFixed(1));
  return `| ${label} | ${cells.join(' | ')} |`;
};

/**
 * Where the time of the median went: each stage's delay from the one before it that the sample
 * reached (`connected` only on a request that opened its connection), a row per pair.
 */
function stageRows(samples: readonly Sample[], trace: Trace): string[] {
  const points = ['posted', ...STAGES, 'client'] as const;
  type Point = (typeof points)[number];
  const at = (s: Sample, point: Point): number | undefined =>
    point === 'posted' ? s.postedAt : point === 'client' ? s.firstAt : trace[s.id]?.[point];
  const rows: string[] = [];
  for (let i = 1; i < points.length; i++) {
    const to = points[i] as Point;
    const deltas = new Map<Point, number[]>();
    for (const s of samples) {
      const from = points.slice(0, i).findLast((point) => at(s, point) !== undefined);
      const [a, b] = [from === undefined ? undefined : at(s, from), at(s, to)];
      if (from === undefined || a === undefined || b === undefined) continue;
      deltas.set(from, [...(deltas.get(from) ?? []), b - a]);
    }
    for (const [from, values] of deltas) rows.push(row(`  ${from} → ${to}`, values));
  }
  return rows;
}

/**
 * When each stage was reached, counted from its round's first POST: where a burst queues (a
 * stage every sample reaches at once waits for the slowest of the one before it).
 */
function timelineRows(samples: readonly Sample[], trace: Trace): string[] {
  const points = [...STAGES, 'client'] as const;
  return points.flatMap((point) => {
    const since = samples.flatMap((s) => {
      const at = point === 'client' ? s.firstAt : trace[s.id]?.[point];
      return at === undefined || s.roundAt === undefined ? [] : [at - s.roundAt];
    });
    return since.length > 0 ? [row(`  round start → ${point}`, since)] : [];
  });
}

type TraceReply = Extract<TracedApiReply, { kind: 'trace' }>;

function asker(child: ChildProcess): (request: TracedApiRequest) => Promise<TraceReply> {
  return async (request) => {
    const answer = once(child, 'message') as Promise<[TracedApiReply]>;
    child.send(request);
    const [reply] = await answer;
    if (reply.kind !== 'trace') throw new Error(`the API answered ${reply.kind}`);
    return reply;
  };
}

/**
 * CPU milliseconds (user + system) the process has used, all its threads; with `thread`, that
 * thread's alone (the event loop's is the pid): figures the machine's other load barely moves.
 */
function cpuMs(pid: number, thread?: number): number {
  const file = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  const fields = readFileSync(file, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function measure(
  label: string,
  api: { readonly pid: number; readonly ask: (request: TracedApiRequest) => Promise<TraceReply> },
  once: (i: number) => Promise<Sample>,
): Promise<void> {
  const samples: Sample[] = [];
  await api.ask({ kind: 'clear' });
  const cpuBefore = cpuMs(api.pid);
  const loopCpuBefore = cpuMs(api.pid, api.pid);
  const clientBefore = performance.eventLoopUtilization();
  for (let round = 0; round < ROUNDS; round++) {
    const roundAt = nowMs();
    const done = await Promise.all(Array.from({ length: CONVERSATIONS }, (_, i) => once(i)));
    samples.push(...done.map((sample) => ({ ...sample, roundAt })));
  }
  const cpu = (cpuMs(api.pid) - cpuBefore) / samples.length;
  const loopCpu = (cpuMs(api.pid, api.pid) - loopCpuBefore) / samples.length;
  const clientBusy = performance.eventLoopUtilization(clientBefore).utilization;
  const { trace, loopBusy, loopDelayP99Ms, loopDelayMaxMs, streamReads, gcMs, rssMb } = await api.ask({
    kind: 'trace',
  });
  console.log(
    `\n${label}: ${CONVERSATIONS} at once × ${ROUNDS} rounds; API CPU ${cpu.toFixed(2)} ms each (its event loop's thread ${loopCpu.toFixed(2)}, of which GC ${(gcMs / samples.length).toFixed(2)}); event loop busy: ` +
      `API ${percent(loopBusy)}, clients ${percent(clientBusy)}; API loop held p99 ${loopDelayP99Ms.toFixed(0)} ms, ` +
      `max ${loopDelayMaxMs.toFixed(0)} ms; streams read ${(streamReads / samples.length).toFixed(1)} each; API RSS ${rssMb.toFixed(0)} MB; load average ${loadAverage()}`,
  );
  console.log('| ms | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|');
  console.log(
    row(
      'POST → first event',
      samples.map((s) => s.firstAt - s.postedAt),
    ),
  );
  for (const line of stageRows(samples, trace)) console.log(line);
  for (const line of timelineRows(samples, trace)) console.log(line);
}

const percent = (share: number): string => `${(share * 100).toFixed(0)} %`;
const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function main(): Promise<void> {
  const child = fork(fileURLToPath(new URL('./traced-api.js', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: (process.env.LATENCY_BENCH_API_ARGS ?? '').split(' ').filter(Boolean),
  });
  let clients: RawHttpClient[] = [];
  try {
    const [ready] = (await once(child, 'message')) as [TracedApiReply];
    if (ready.kind !== 'ready') throw new Error('the API did not start');
    const { url } = ready;
    const api = { pid: child.pid ?? 0, ask: asker(child) };
    console.log(`API: ${ready.mode}, pid ${child.pid}; load average before ${loadAverage()}`);
    // Each client's connection open first, as a page that has loaded holds one.
    clients = await Promise.all(Array.from({ length: CONVERSATIONS }, () => RawHttpClient.open(url)));
    const message = (i: number): string => MESSAGES[i % MESSAGES.length] ?? 'Olá';
    await Promise.all(clients.map((client, i) => chatOnce(client, message(i))));
    const client = (i: number): RawHttpClient => clients[i] as RawHttpClient;
    if (!CHAT_ONLY) await investigationOnce(client(0), url);
    const chat = (i: number): Promise<Sample> => chatOnce(client(i), message(i));
    await measure('POST /api/v1/chat/stream → first chunk', api, chat);
    if (CHAT_ONLY) return;
    await measure('POST /api/v1/investigations → first event on its stream', api, (i) =>
      investigationOnce(client(i), url),
    );
    await Promise.all(Array.from({ length: BACKGROUND_RUNS }, (_, i) => investigationOnce(client(i), url)));
    await measure(`chat while ${BACKGROUND_RUNS}+ investigations run`, api, chat);
  } finally {
    for (const client of clients) client.close();
    child.disconnect();
    await once(child, 'exit');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
