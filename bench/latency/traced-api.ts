import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { join } from 'node:path';
import { createRuntime, loadSections, Metrics, silentLogger } from '#platform';
import { startWorkersFromRuntime } from '#workers';
import { startApi } from '../../apps/api/src/bootstrap.js';
import { nowMs, StageTrace, tracedBus, tracedStore } from './stage-trace.js';

/** What the bench asks of this process over IPC, and what it answers. */
export type TracedApiRequest = { readonly kind: 'trace' } | { readonly kind: 'clear' };
export type TracedApiReply =
  | { readonly kind: 'ready'; readonly url: string; readonly mode: string }
  | {
      readonly kind: 'trace';
      readonly trace: ReturnType<StageTrace['snapshot']>;
      /** Share of the time since the last `clear` the API's event loop was busy. */
      readonly loopBusy: number;
      /** The longest the API's event loop was held at once since the last `clear`, ms: what a new connection may wait to be accepted. */
      readonly loopDelayMaxMs: number;
      readonly loopDelayP99Ms: number;
      /** Streams read from the store since the last `clear`. */
      readonly streamReads: number;
      /** Time the API's event loop spent in garbage collection since the last `clear`, ms. */
      readonly gcMs: number;
      /** The API process's resident memory now, MB. */
      readonly rssMb: number;
    };

/** The first event a client of a stream waits for: a chat's first chunk, an investigation's start. */
const awaited = (type: string): boolean => type === 'ResponseChunkGenerated' || type === 'InvestigationStarted';

/**
 * The API and its workers as `npm start` composes them (the environment's settings, so
 * EVENT_STORE and NATS_URL apply), with the bus and store wrapped to time each stage. Its
 * own process: the clients' parsing does not share this event loop.
 */
async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cidadao-bench-latency-'));
  const settings = loadSections({
    ...process.env,
    DATA_DIR: dataDir,
    RATE_LIMIT_PER_MINUTE_IP: '0',
    MAX_STREAMS_PER_IP: '100000',
    LOG_LEVEL: 'silent',
  });
  const runtime = await createRuntime(settings, silentLogger, new Metrics());
  const trace = new StageTrace(awaited);
  const traced = { ...runtime, bus: tracedBus(runtime.bus, trace), store: tracedStore(runtime.store, trace) };
  const workers = await startWorkersFromRuntime(traced);
  const api = await startApi(traced, 0, '127.0.0.1');
  // First in line: the time a request is read off its socket, before any of the API's own work.
  const server = api.app.getHttpServer() as Server;
  // When each connection was accepted, until its first request: a reused connection has no `connected`.
  const connectedAt = new WeakMap<Socket, number>();
  server.prependListener('connection', (socket: Socket) => connectedAt.set(socket, nowMs()));
  server.prependListener('request', (request: IncomingMessage) => {
    const correlationId = request.headers['x-correlation-id'];
    const connected = connectedAt.get(request.socket);
    connectedAt.delete(request.socket);
    if (typeof correlationId === 'string') trace.arrived(correlationId, connected);
  });
  const reply = (message: TracedApiReply): void => void process.send?.(message);
  let since = performance.eventLoopUtilization();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let gcMs = 0;
  const gc = new PerformanceObserver((entries) => {
    for (const entry of entries.getEntries()) gcMs += entry.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  process.on('message', (request: TracedApiRequest) => {
    const loopBusy = performance.eventLoopUtilization(since).utilization;
    const loopDelayMaxMs = delay.max / 1e6;
    const loopDelayP99Ms = delay.percentile(99) / 1e6;
    const { streamReads } = trace;
    const gcSince = gcMs;
    if (request.kind === 'clear') {
      trace.clear();
      gcMs = 0;
      since = performance.eventLoopUtilization();
      delay.reset();
    }
    reply({
      kind: 'trace',
      trace: trace.snapshot(),
      loopBusy,
      loopDelayMaxMs,
      loopDelayP99Ms,
      streamReads,
      gcMs: gcSince,
      rssMb: process.memoryUsage.rss() / 2 ** 20,
    });
  });
  process.once('disconnect', () => {
    void (async () => {
      gc.disconnect();
      delay.disable();
      await api.close();
      await workers.stop();
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    })();
  });
  reply({ kind: 'ready', url: api.url, mode: `${settings.storage.eventStore} store, ${runtime.bus.kind} bus` });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
