import http from 'node:http';
import { availableParallelism, cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { newId } from '#platform';
import { FIRST_PROGRESS_REVISION, type AppendPlan } from './append-plan.js';
import { childProcessApi, inProcessApi, type ApiUnderTest } from './api-under-test.js';
import { SETTING_OVERRIDES, type BenchApiOptions, type StoreKind } from './bench-api.js';
import { within } from './clock.js';
import { startCpuWindow } from './cpu-window.js';
import {
  deliveredSoFar,
  expectedDeliveries,
  measure,
  printFigures,
  printTable,
  type DeliveryFigures,
  type Scenario,
  type Watch,
} from './delivery-report.js';
import { openSubscriber } from './sse-subscriber.js';

/**
 * Latency from append to SSE delivery, and delivered events/s, at 1 and 1,000 concurrent
 * subscribers over real HTTP on loopback. Bounded in count and time; stops by itself.
 *
 *   node dist/bench/streaming/sse-delivery.bench.js [--store sqlite|postgres] [--in-process]
 */
const SCENARIOS: readonly Scenario[] = [
  { name: 'single subscriber', subscribers: 1, streams: 1, events: 2_000, ratePerSecond: 200 },
  { name: 'dashboard: 1,000 on one stream', subscribers: 1_000, streams: 1, events: 200, ratePerSecond: 20 },
  { name: '1,000 over 100 streams', subscribers: 1_000, streams: 100, events: 2_000, ratePerSecond: 200 },
];

/** Appends before the timed ones, so that the figures describe a server whose JIT has warmed up. */
const WARM_UP_SECONDS = 1;
/** Opening a thousand connections at once would overflow the listen backlog (511) and wait on SYN retries. */
const CONNECT_BATCH = 100;
const CONNECT_TIMEOUT_MS = 30_000;
/** After the last append, how long stragglers may take before the run is declared short. */
const DRAIN_TIMEOUT_MS = 15_000;
/** The whole run, whatever happens. */
const WATCHDOG_MS = 10 * 60_000;

interface Options {
  readonly api: BenchApiOptions;
  readonly inProcess: boolean;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: { store: { type: 'string', default: 'sqlite' }, 'in-process': { type: 'boolean', default: false } },
  });
  const store = values.store;
  if (store !== 'sqlite' && store !== 'postgres') throw new Error(`--store must be sqlite or postgres, not ${store}`);
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  return { api: { store: store satisfies StoreKind, databaseUrl }, inProcess: values['in-process'] };
}

/** A warm-up of whole rounds (one event per stream each), then the timed events after it. */
function plansFor(scenario: Scenario): { readonly warmUp: AppendPlan; readonly timed: AppendPlan } {
  const investigationIds = Array.from({ length: scenario.streams }, () => newId());
  const rounds = Math.ceil((scenario.ratePerSecond * WARM_UP_SECONDS) / scenario.streams);
  const common = { investigationIds, ratePerSecond: scenario.ratePerSecond };
  return {
    warmUp: { ...common, events: rounds * scenario.streams, firstRevision: FIRST_PROGRESS_REVISION },
    timed: { ...common, events: scenario.events, firstRevision: FIRST_PROGRESS_REVISION + rounds },
  };
}

async function openWatches(
  api: ApiUnderTest,
  scenario: Scenario,
  plan: AppendPlan,
  agent: http.Agent,
): Promise<Watch[]> {
  const watches: Watch[] = [];
  const timedFrames = Math.ceil(plan.events / scenario.streams);
  for (let first = 0; first < scenario.subscribers; first += CONNECT_BATCH) {
    const batch: Watch[] = [];
    for (let k = first; k < Math.min(first + CONNECT_BATCH, scenario.subscribers); k++) {
      const stream = k % scenario.streams;
      const url = `${api.url}/api/v1/investigations/stream/${plan.investigationIds[stream]}`;
      batch.push({
        stream,
        subscriber: openSubscriber({
          url,
          agent,
          historyRevision: 1,
          firstTimedRevision: plan.firstRevision,
          timedFrames,
        }),
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

async function drain(watches: readonly Watch[], plan: AppendPlan): Promise<void> {
  const expected = expectedDeliveries(watches, plan);
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (deliveredSoFar(watches) < expected && Date.now() < deadline) await sleep(10);
}

/** The timed run must not start behind a warm-up backlog, or it would time the backlog. */
async function warmUp(api: ApiUnderTest, watches: readonly Watch[], plan: AppendPlan): Promise<void> {
  await api.appendProgress(plan);
  const lastRevision = plan.firstRevision + plan.events / plan.investigationIds.length - 1;
  const behind = (): number => watches.filter((w) => w.subscriber.counts.lastId < lastRevision).length;
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (behind() > 0 && Date.now() < deadline) await sleep(10);
  if (behind() > 0)
    console.log(
      `  !!!!! ${behind()} subscriber(s) still behind after the warm-up: the timed figures include that backlog`,
    );
}

async function runScenario(options: Options, scenario: Scenario): Promise<DeliveryFigures> {
  const api = options.inProcess ? await inProcessApi(options.api) : await childProcessApi(options.api);
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  let watches: Watch[] = [];
  try {
    const plans = plansFor(scenario);
    await api.createInvestigations(plans.timed.investigationIds);
    watches = await openWatches(api, scenario, plans.timed, agent);
    await warmUp(api, watches, plans.warmUp);
    const cpu = startCpuWindow();
    const report = await api.appendProgress(plans.timed);
    const spent = cpu.stop();
    await drain(watches, plans.timed);
    return measure(scenario, api.placement, watches, plans.timed, report, spent);
  } finally {
    for (const { subscriber } of watches) subscriber.close();
    agent.destroy();
    await api.close();
  }
}

function printMachine(options: Options): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`SSE delivery benchmark, ${new Date().toISOString()}`);
  console.log(`machine: ${availableParallelism()} cores (${cpu}), Node ${process.version}, ${process.platform}`);
  console.log(
    `store: ${options.api.store}; loopback HTTP on 127.0.0.1; no workers (the bench appends through runtime.store.appendToStream)`,
  );
  const overrides = Object.entries(SETTING_OVERRIDES).map(([name, value]) => `${name}=${value}`);
  console.log(
    `settings: defaults, anonymous embedded access, except ${overrides.join(' ')} (every subscriber shares one address)`,
  );
  console.log(
    options.inProcess
      ? 'placement: API and subscribers in ONE process sharing one event loop (and the cores): latency includes client-side parsing'
      : 'placement: API in a child process, subscribers in this process; both share the same cores',
  );
  console.log(
    'latency: monotonic clock just before appendToStream -> arrival of the chunk holding the frame at the subscriber\n',
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
  for (const scenario of SCENARIOS) {
    const figures = await runScenario(options, scenario);
    printFigures(figures, options.api.store === 'postgres' ? 'includes the PostgreSQL server' : null);
    results.push(figures);
  }
  printTable(results);
  clearTimeout(watchdog);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
