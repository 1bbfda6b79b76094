import { availableParallelism, cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { newId } from '#platform';
import { FIRST_PROGRESS_REVISION, type AppendPlan } from '../streaming/append-plan.js';
import { childProcessApi, inProcessApi, type ApiUnderTest } from '../streaming/api-under-test.js';
import { SETTING_OVERRIDES, type BenchApiOptions } from '../streaming/bench-api.js';
import { within } from '../streaming/clock.js';
import { startCpuWindow } from '../streaming/cpu-window.js';
import {
  deliveredSoFar,
  expectedDeliveries,
  measure,
  printFigures,
  printTable,
  type DeliveryFigures,
  type Scenario,
  type Watch,
} from '../streaming/delivery-report.js';
import { openIoSubscriber } from './io-subscriber.js';
import type { Subscriber, TimedOptions } from './timed-frames.js';
import { openWsSubscriber } from './ws-subscriber.js';

/**
 * Latency from append to delivery, and delivered messages/s, at 1,000 concurrent raw
 * WebSocket and 1,000 Socket.IO clients over loopback. The API runs in a child process,
 * the clients here; bounded in count and time, it stops by itself.
 *
 *   node dist/bench/websocket/ws-delivery.bench.js [--store sqlite|postgres] [--in-process] [--only <text in a scenario name>]
 */
type Transport = 'ws' | 'ws-general' | 'socket.io';

interface TransportScenario extends Scenario {
  readonly transport: Transport;
}

const SCENARIOS: readonly TransportScenario[] = [
  {
    transport: 'ws',
    name: 'WebSocket /ws/investigations: 1,000 over 100 streams',
    subscribers: 1_000,
    streams: 100,
    events: 2_000,
    ratePerSecond: 200,
  },
  {
    transport: 'ws',
    name: 'WebSocket /ws/investigations: 1,000 on one stream',
    subscribers: 1_000,
    streams: 1,
    events: 200,
    ratePerSecond: 20,
  },
  {
    transport: 'ws-general',
    name: 'WebSocket /ws (batched): 1,000 over 100 streams',
    subscribers: 1_000,
    streams: 100,
    events: 2_000,
    ratePerSecond: 200,
  },
  {
    transport: 'socket.io',
    name: 'Socket.IO /investigations: 1,000 over 100 streams',
    subscribers: 1_000,
    streams: 100,
    events: 2_000,
    ratePerSecond: 200,
  },
  {
    transport: 'socket.io',
    name: 'Socket.IO /investigations: 1,000 on one stream',
    subscribers: 1_000,
    streams: 1,
    events: 200,
    ratePerSecond: 20,
  },
];

const WARM_UP_SECONDS = 1;
/** Opening a thousand connections at once would overflow the listen backlog (511). */
const CONNECT_BATCH = 100;
const CONNECT_TIMEOUT_MS = 30_000;
const DRAIN_TIMEOUT_MS = 15_000;
const WATCHDOG_MS = 15 * 60_000;

interface Options {
  readonly api: BenchApiOptions;
  readonly inProcess: boolean;
  readonly only: string | undefined;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      store: { type: 'string', default: 'sqlite' },
      'in-process': { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const store = values.store;
  if (store !== 'sqlite' && store !== 'postgres') throw new Error(`--store must be sqlite or postgres, not ${store}`);
  return {
    api: { store, databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    inProcess: values['in-process'],
    only: values.only,
  };
}

function plansFor(scenario: Scenario): { readonly warmUp: AppendPlan; readonly timed: AppendPlan } {
  const investigationIds = Array.from({ length: scenario.streams }, () => newId());
  const rounds = Math.ceil((scenario.ratePerSecond * WARM_UP_SECONDS) / scenario.streams);
  const common = { investigationIds, ratePerSecond: scenario.ratePerSecond };
  return {
    warmUp: { ...common, events: rounds * scenario.streams, firstRevision: FIRST_PROGRESS_REVISION },
    timed: { ...common, events: scenario.events, firstRevision: FIRST_PROGRESS_REVISION + rounds },
  };
}

function openSubscriber(
  transport: Transport,
  baseUrl: string,
  investigationId: string,
  timed: TimedOptions,
): Subscriber {
  if (transport === 'socket.io') return openIoSubscriber({ ...timed, baseUrl, investigationId });
  return openWsSubscriber({
    ...timed,
    baseUrl,
    investigationId,
    endpoint: transport === 'ws' ? 'investigations' : 'general',
  });
}

async function openWatches(api: ApiUnderTest, scenario: TransportScenario, plan: AppendPlan): Promise<Watch[]> {
  const watches: Watch[] = [];
  const timed = {
    historyRevision: 1,
    firstTimedRevision: plan.firstRevision,
    timedFrames: Math.ceil(plan.events / scenario.streams),
  };
  for (let first = 0; first < scenario.subscribers; first += CONNECT_BATCH) {
    const batch: Watch[] = [];
    for (let k = first; k < Math.min(first + CONNECT_BATCH, scenario.subscribers); k++) {
      const stream = k % scenario.streams;
      batch.push({
        stream,
        subscriber: openSubscriber(scenario.transport, api.url, plan.investigationIds[stream] ?? '', timed),
      });
    }
    watches.push(...batch);
    await within(
      Promise.all(batch.map((w) => w.subscriber.connected)),
      CONNECT_TIMEOUT_MS,
      `subscribers ${first}..${first + batch.length - 1} did not connect`,
    );
  }
  return watches;
}

async function waitFor(done: () => boolean): Promise<void> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (!done() && Date.now() < deadline) await sleep(10);
}

async function runScenario(options: Options, scenario: TransportScenario): Promise<DeliveryFigures> {
  const api = options.inProcess ? await inProcessApi(options.api) : await childProcessApi(options.api);
  let watches: Watch[] = [];
  try {
    const plans = plansFor(scenario);
    await api.createInvestigations(plans.timed.investigationIds);
    watches = await openWatches(api, scenario, plans.timed);
    await api.appendProgress(plans.warmUp);
    const warmedTo = plans.warmUp.firstRevision + plans.warmUp.events / scenario.streams - 1;
    await waitFor(() => watches.every((w) => w.subscriber.counts.lastId >= warmedTo));
    const cpu = startCpuWindow();
    const report = await api.appendProgress(plans.timed);
    const spent = cpu.stop();
    const expected = expectedDeliveries(watches, plans.timed);
    await waitFor(() => deliveredSoFar(watches) >= expected);
    return measure(scenario, api.placement, watches, plans.timed, report, spent);
  } finally {
    for (const { subscriber } of watches) subscriber.close();
    await api.close();
  }
}

function printMachine(options: Options): void {
  console.log(`WebSocket and Socket.IO delivery benchmark, ${new Date().toISOString()}`);
  console.log(
    `machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${process.platform}`,
  );
  console.log(
    `store: ${options.api.store}; loopback on 127.0.0.1; no workers (the bench appends through runtime.store.appendToStream)`,
  );
  console.log(
    `settings: defaults, anonymous embedded access, except ${Object.entries(SETTING_OVERRIDES)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  console.log(
    'clients: ws 8 (raw, JSON text frames) and socket.io-client 4.8 (websocket transport, one connection each)',
  );
  console.log(
    'latency: monotonic clock just before appendToStream -> arrival of the frame holding the message at the client\n',
  );
}

async function main(): Promise<void> {
  const options = readOptions();
  const watchdog = setTimeout(() => {
    console.error(`!!!!! the benchmark exceeded ${WATCHDOG_MS / 60_000} minutes; stopping`);
    process.exit(2);
  }, WATCHDOG_MS);
  watchdog.unref();
  printMachine(options);
  const results: DeliveryFigures[] = [];
  for (const scenario of SCENARIOS.filter((s) => options.only === undefined || s.name.includes(options.only))) {
    const figures = await runScenario(options, scenario);
    printFigures(figures);
    results.push(figures);
  }
  printTable(results);
  clearTimeout(watchdog);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
