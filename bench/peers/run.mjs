// One run of one server in the peers bench: start it, open its channels and subscribers, warm
// up, then the scenario's timed part (fan-out, resume, saturation); everything stopped after.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { monoUs } from './common.mjs';
import { openGroup } from './groups.mjs';
import { startNginx } from './nginx.mjs';
import { child, cpuUs, freePort, tempDir, waitFor } from './procs.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const PROJECT_DIR = join(HERE, '..', '..');

/** The project's settings in the bench: one anonymous client on 127.0.0.1 holds every stream. */
export const PROJECT_ENV = {
  MAX_STREAMS_PER_IP: '1000000',
  MAX_STREAMS_PER_USER: '1000000',
  MAX_CONCURRENT_STREAMS: '1000000',
  RATE_LIMIT_PER_MINUTE: '0',
  RATE_LIMIT_PER_MINUTE_IP: '0',
  STREAM_IDLE_TIMEOUT: '0',
  STREAM_MAX_DURATION: '0',
  LOG_LEVEL: 'warn',
};

/** PEERS_SERVER_ARGS: Node flags of the servers' processes (e.g. `--cpu-prof --cpu-prof-dir=DIR`), else this process's. */
const SERVER_ARGS = process.env.PEERS_SERVER_ARGS?.split(' ').filter(Boolean);

/**
 * Starts what `kind` needs: the pids whose CPU counts, the publisher, the base URL, a stop.
 * `execArgv`: Node flags of a Node server's process.
 */
export async function startServer(kind, { nginx, subs, execArgv = SERVER_ARGS }) {
  if (kind === 'nchan') {
    const server = await startNginx(nginx.nginx, join(HERE, 'nchan.conf.tmpl'), {
      NCHAN_MODULE: nginx.nchan,
      CONNECTIONS: subs + 1024,
    });
    const publisher = child(join(HERE, 'servers.mjs'), ['nchan-pub'], { NGINX_PORT: String(server.port) });
    await publisher.started.catch(async (error) => (await server.stop(), Promise.reject(error)));
    return {
      pids: [server.pid],
      publisher,
      base: `http://127.0.0.1:${server.port}`,
      transport: 'sse',
      seqField: 'progress',
      stop: async () => {
        await publisher.stop();
        await server.stop();
      },
    };
  }
  const [script, transport, projectDir] = kind.startsWith('project-')
    ? ['project', kind.slice('project-'.length), PROJECT_DIR]
    : kind.startsWith('before-')
      ? ['project', kind.slice('before-'.length), process.env.PEERS_BEFORE_DIR]
      : [kind, kind.slice('bare-'.length)];
  const port = await freePort();
  const dataDir = tempDir('peers-data-');
  const env =
    script === 'project'
      ? { ...PROJECT_ENV, PROJECT_DIR: projectDir, DATA_DIR: dataDir, PORT: String(port) }
      : { PORT: String(port) };
  const proc = child(join(HERE, 'servers.mjs'), [script], env, execArgv);
  const stop = async () => {
    await proc.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  await proc.started.catch(async (error) => (await stop(), Promise.reject(error)));
  return {
    pids: [proc.pid],
    publisher: proc,
    base: `${transport === 'ws' || transport === 'wsmux' ? 'ws' : 'http'}://127.0.0.1:${port}`,
    transport,
    // The multiplexed SSE's ids are cursors of every stream of the connection.
    seqField: transport === 'mux-sse' ? 'progress' : 'id',
    stop,
  };
}

/** Transports where one connection may carry `perConn` streams (PEERS_MUX_PER_CONN). */
export const MUX_TRANSPORTS = ['wsmux', 'mux-sse'];

const sum = (stats, key) => stats.reduce((n, s) => n + s[key], 0);

/** Publishes `rounds` events on every channel at `rate` events/s; how the subscribers took them. */
export async function timedWindow({
  server,
  groups,
  channels,
  rounds,
  rate,
  batch,
  expected,
  timeoutMs = 20_000,
  during,
}) {
  const before = await Promise.all(groups.map((g) => g.stats()));
  const watched = { ...server.watch, clients: groups.flatMap((g) => g.pids) };
  const watched0 = Object.values(watched).map((pids) => cpuUs(pids));
  const cpu0 = cpuUs(server.pids);
  const t0 = monoUs();
  const publishing = server.publisher.call('publish', rounds * channels, rate, batch);
  if (during) await during();
  await publishing;
  /** Events/s the publisher managed: below `rate` when appending, not delivering, was the limit. */
  const published = (rounds * channels * 1e6) / (monoUs() - t0);
  let stats = before;
  const complete = await waitFor(
    async () => {
      stats = await Promise.all(groups.map((g) => g.stats()));
      return sum(stats, 'delivered') - sum(before, 'delivered') >= expected;
    },
    timeoutMs,
    200,
  );
  stats = await Promise.all(groups.map((g) => g.stats(true)));
  const cpu = cpuUs(server.pids) - cpu0;
  const windowUs = monoUs() - t0;
  /** CPU cores busy over the window, per watched group of processes (the clients always). */
  const cores = Object.fromEntries(
    Object.entries(watched).map(([name, pids], i) => [name, (cpuUs(pids) - watched0[i]) / windowUs]),
  );
  const delivered = sum(stats, 'delivered') - sum(before, 'delivered');
  const seconds = (Math.max(...stats.map((s) => s.lastArrivalUs)) - t0) / 1e6;
  return {
    complete,
    delivered,
    expected,
    cpuPerDelivery: cpu / delivered,
    perSecond: delivered / seconds,
    published,
    cores: { server: cpu / windowUs, ...cores },
    gaps: sum(stats, 'gaps') - sum(before, 'gaps'),
    duplicates: sum(stats, 'duplicates') - sum(before, 'duplicates'),
    stats,
  };
}

/** `seconds` of events at `rate`, spread over the channels, each expected at every subscriber of its channel. */
function timedRounds({ server, groups }, { subs, channels, batch }, rate, seconds, during) {
  const rounds = Math.max(1, Math.round((rate * seconds) / channels));
  return timedWindow({ server, groups, channels, rounds, rate, batch, expected: rounds * subs, during });
}

/**
 * A server (`config.start(kind, config)`, else the peers' `startServer`) with `subs` subscribers
 * over `channels` channels (`resumers` of them Node SSE subscribers in a group of their own),
 * warmed up at `rate`; `body(session)` does the timed part.
 */
export async function withSession(kind, config, body) {
  const { subs, channels, rate, client, resumers = 0, perConn = 1 } = config;
  const server = await (config.start ?? startServer)(kind, config);
  const groups = [];
  try {
    const opened = await server.publisher.call('channels', channels);
    const targets = opened[server.transport];
    const warmRounds = Math.max(3, Math.ceil((2 * rate) / channels));
    const warmLast = opened.nextSeq + warmRounds - 1;
    const common = { base: server.base, transport: server.transport, targets, seqField: server.seqField, warmLast };
    if (MUX_TRANSPORTS.includes(server.transport)) common.perConn = perConn;
    const first = warmLast + 1;
    if (subs > resumers) groups.push(await openGroup(client, { ...common, subs: subs - resumers, first }));
    if (resumers) groups.push(await openGroup('node', { ...common, subs: resumers, first }));
    await server.publisher.call('publish', warmRounds * channels, rate, config.batch);
    const warm = await waitFor(
      async () => (await Promise.all(groups.map((g) => g.stats()))).every((s) => s.warm),
      30_000,
    );
    if (!warm) throw new Error(`${kind}: not every subscriber got the warm-up`);
    return await body({ server, groups, first });
  } finally {
    for (const group of groups) await group.close().catch(() => {});
    await server.stop();
  }
}

/** Fan-out: `seconds` of events at `rate`; CPU µs per delivery, latency, deliveries/s. */
export function fanout(kind, config) {
  const { rate, seconds } = config;
  return withSession(kind, config, async (session) => {
    const result = await timedRounds(session, config, rate, seconds);
    const [stats] = result.stats;
    return { ...result, p50: stats.p50Us / 1000, p99: stats.p99Us / 1000, stats: undefined };
  });
}

/**
 * Resume: `resumers` Node SSE subscribers drop at once a third into the window and reconnect at
 * once `delayMs` later with Last-Event-ID; time until each has the first event sent after it reconnected.
 */
export function resume(kind, config) {
  const { rate, seconds, delayMs } = config;
  return withSession(kind, config, async (session) => {
    const resumers = session.groups.at(-1);
    const result = await timedRounds(session, config, rate, seconds, async () => {
      await sleep((seconds * 1000) / 3);
      await resumers.resume(delayMs);
    });
    const caughtUp = result.stats.at(-1).caughtUpMs;
    const sorted = caughtUp.filter((ms) => ms >= 0).sort((a, b) => a - b);
    return {
      ...result,
      stats: undefined,
      resumed: caughtUp.length,
      caughtUp: sorted.length,
      catchUpP50: sorted[Math.floor(sorted.length / 2)] ?? NaN,
      catchUpMax: sorted.at(-1) ?? NaN,
    };
  });
}

/**
 * Saturation: the rate raised step by step at `subs` subscribers; a step is sustained when every
 * event reached every subscriber without gap or duplicate at ≥ 95 % of the offered deliveries/s:
 * the rate × subscribers per stream, where a publisher in the server's process that falls behind
 * is the server falling behind; with `offerPublished` (a publisher of its own, limited by its
 * store's commits) the events it managed to publish × subscribers per stream.
 * Stops after two steps in a row that are not.
 */
export function saturation(kind, config) {
  const { subs, channels, rates, stepSeconds, offerPublished = false } = config;
  return withSession(kind, { ...config, rate: rates[0] }, async (session) => {
    const steps = [];
    let misses = 0;
    for (const rate of rates) {
      const result = await timedRounds(session, config, rate, stepSeconds);
      const offered = ((offerPublished ? Math.min(rate, result.published) : rate) * subs) / channels;
      const sustained =
        result.complete && result.gaps === 0 && result.duplicates === 0 && result.perSecond >= 0.95 * offered;
      steps.push({
        rate,
        offered,
        perSecond: result.perSecond,
        published: result.published,
        cpuPerDelivery: result.cpuPerDelivery,
        cores: result.cores,
        sustained,
      });
      console.error(
        `  ${kind} ${rate} events/s (published ${result.published.toFixed(0)}/s): ${Math.round(result.perSecond)} deliveries/s${sustained ? '' : ' (not sustained)'}`,
      );
      misses = sustained ? 0 : misses + 1;
      if (misses >= 2 || !result.complete) break;
    }
    const sustained = steps.filter((s) => s.sustained);
    return {
      steps,
      sustained: sustained.length ? Math.max(...sustained.map((s) => s.perSecond)) : 0,
      peak: Math.max(...steps.map((s) => s.perSecond)),
      cpuAtSustained: sustained.at(-1)?.cpuPerDelivery ?? NaN,
    };
  });
}
