// Fan-out next to its peers: bare node:http SSE, a bare `ws` broadcast, the project's SSE and
// raw WebSocket, and Nchan when nginx has the module; interleaved, one stream, PEERS_SUBS
// subscribers (1,000 by default). Prints server CPU µs per delivery, latency p50/p99,
// deliveries/s and the ratios. Run with `npm run bench:peers` (it builds dist first).
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { monoUs } from './common.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROJECT_DIR = join(HERE, '..', '..');
const SUBS = Number(process.env.PEERS_SUBS ?? 1000);
/** The same 20,000 deliveries/s at 1,000 and 10,000 subscribers. */
const RATE = Number(process.env.PEERS_RATE ?? Math.max(1, Math.round(20_000 / SUBS)));
const SECONDS = Number(process.env.PEERS_SECONDS ?? 5);
const REPS = Number(process.env.PEERS_REPS ?? 2);
const NCHAN_MODULE = [
  '/usr/lib/nginx/modules/ngx_nchan_module.so',
  '/usr/share/nginx/modules/ngx_nchan_module.so',
].find(existsSync);
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find(existsSync);
const NCHAN = Boolean(NCHAN_MODULE && NGINX);
const KINDS = ['bare-sse', 'bare-ws', 'project-sse', 'project-ws', ...(NCHAN ? ['nchan'] : [])];

const PROJECT_ENV = {
  MAX_STREAMS_PER_IP: '1000000',
  MAX_STREAMS_PER_USER: '1000000',
  MAX_CONCURRENT_STREAMS: '1000000',
  RATE_LIMIT_PER_MINUTE: '0',
  RATE_LIMIT_PER_MINUTE_IP: '0',
  STREAM_IDLE_TIMEOUT: '0',
  STREAM_MAX_DURATION: '0',
  LOG_LEVEL: 'warn',
};

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

/** A forked helper with request/response over IPC. */
function child(script, args, env) {
  const proc = fork(join(HERE, script), args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const waiting = new Map();
  let ready;
  const started = new Promise((resolve, reject) => {
    ready = resolve;
    proc.once('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited with ${code}`)));
  });
  proc.on('message', (message) => {
    if (message.ready) return ready();
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error) pending?.reject(new Error(message.error));
    else pending?.resolve(message.result);
  });
  return {
    pid: proc.pid,
    started,
    call: (op, ...callArgs) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        proc.send({ id, op, args: callArgs });
      }),
    stop: () => stopPid(proc),
  };
}

async function stopPid(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(timer);
}

/** utime + stime of `pids` and their children (nginx workers), in µs. */
function cpuUs(pids) {
  const all = new Set(pids);
  for (const entry of readdirProc()) {
    const stat = statOf(entry);
    if (stat && all.has(stat.ppid)) all.add(Number(entry));
  }
  let ticks = 0;
  for (const pid of all) {
    const stat = statOf(String(pid));
    if (stat) ticks += stat.utime + stat.stime;
  }
  return (ticks * 1e6) / 100;
}

const readdirProc = () => readdirSync('/proc').filter((name) => /^\d+$/.test(name));

function statOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]) };
  } catch {
    return null;
  }
}

async function waitFor(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}

/** Starts what `kind` needs: the pids whose CPU counts, the publisher, the subscriber URL, a stop. */
async function startServer(kind) {
  const port = await freePort();
  if (kind === 'nchan') {
    const prefix = mkdtempSync(join(tmpdir(), 'peers-nchan-'));
    mkdirSync(join(prefix, 'logs'));
    const conf = readFileSync(join(HERE, 'nchan.conf.tmpl'), 'utf8')
      .replaceAll('@PREFIX@', prefix)
      .replaceAll('@PORT@', String(port))
      .replaceAll('@NCHAN_MODULE@', NCHAN_MODULE)
      .replaceAll('@CONNECTIONS@', String(SUBS + 1024));
    writeFileSync(join(prefix, 'nginx.conf'), conf);
    const nginx = spawn(NGINX, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: 'inherit' });
    await waitFor(
      () =>
        new Promise((resolve) => {
          const socket = createConnection(port, '127.0.0.1');
          socket.once('connect', () => (socket.destroy(), resolve(true)));
          socket.once('error', () => resolve(false));
        }),
      10_000,
    );
    const publisher = child('servers.mjs', ['nchan-pub'], { NGINX_PORT: String(port) });
    await publisher.started;
    return {
      pids: [nginx.pid],
      publisher,
      base: `http://127.0.0.1:${port}`,
      transport: 'sse',
      seqField: 'progress',
      stop: async () => {
        await publisher.stop();
        await stopPid(nginx);
        rmSync(prefix, { recursive: true, force: true });
      },
    };
  }
  const [server, transport] = kind.startsWith('project')
    ? ['project', kind.slice('project-'.length)]
    : [kind, kind.slice('bare-'.length)];
  const dataDir = mkdtempSync(join(tmpdir(), 'peers-data-'));
  const env =
    server === 'project'
      ? { ...PROJECT_ENV, PROJECT_DIR, DATA_DIR: dataDir, PORT: String(port) }
      : { PORT: String(port) };
  const proc = child('servers.mjs', [server], env);
  await proc.started;
  return {
    pids: [proc.pid],
    publisher: proc,
    base: `${transport === 'ws' ? 'ws' : 'http'}://127.0.0.1:${port}`,
    transport,
    seqField: 'id',
    stop: async () => {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function run(kind) {
  const server = await startServer(kind);
  const subscribers = child('subscribers.mjs', [], {});
  try {
    await subscribers.started;
    const channel = await server.publisher.call('channel');
    const path = server.transport === 'ws' ? channel.ws : channel.sse;
    await subscribers.call('connect', `${server.base}${path}`, SUBS, channel.nextSeq, server.seqField);
    const warm = Math.max(3, 2 * RATE);
    await server.publisher.call('publish', warm, RATE);
    const warmLast = channel.nextSeq + warm - 1;
    if (!(await waitFor(async () => (await subscribers.call('upTo', warmLast)) === SUBS, 20_000)))
      throw new Error(`${kind}: not every subscriber got the warm-up`);
    const events = RATE * SECONDS;
    await subscribers.call('timeFrom', warmLast + 1);
    const cpu0 = cpuUs(server.pids);
    const t0 = monoUs();
    await server.publisher.call('publish', events, RATE);
    const complete = await waitFor(async () => (await subscribers.call('upTo', warmLast + events)) === SUBS, 20_000);
    const cpu1 = cpuUs(server.pids);
    const report = await subscribers.call('report');
    await subscribers.call('close');
    const seconds = (report.lastArrival - t0) / 1e6;
    return {
      kind,
      complete,
      cpuPerDelivery: (cpu1 - cpu0) / report.delivered,
      p50: report.p50 / 1000,
      p99: report.p99 / 1000,
      perSecond: report.delivered / seconds,
      delivered: report.delivered,
      expected: events * SUBS,
      gaps: report.gaps,
      duplicates: report.duplicates,
    };
  } finally {
    await subscribers.stop();
    await server.stop();
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const results = [];
console.log(`peers: ${SUBS} subscribers on one stream, ${RATE} events/s for ${SECONDS} s, ${REPS} rounds`);
if (!NCHAN)
  console.log(
    'nchan: skipped (nginx or its nchan module is not installed: apt-get install nginx-light libnginx-mod-nchan)',
  );
for (let rep = 0; rep < REPS; rep++) {
  const order = KINDS.map((_, i) => KINDS[(i + rep) % KINDS.length]);
  for (const kind of order) {
    const result = await run(kind);
    results.push({ rep, ...result });
    console.error(
      `round ${rep + 1} ${kind}: ${result.cpuPerDelivery.toFixed(2)} µs/delivery, ${result.delivered}/${result.expected} delivered`,
    );
  }
}

const rows = KINDS.map((kind) => {
  const mine = results.filter((r) => r.kind === kind);
  return {
    kind,
    cpu: median(mine.map((r) => r.cpuPerDelivery)),
    p50: median(mine.map((r) => r.p50)),
    p99: median(mine.map((r) => r.p99)),
    perSecond: median(mine.map((r) => r.perSecond)),
    delivered: `${mine.reduce((n, r) => n + r.delivered, 0)}/${mine.reduce((n, r) => n + r.expected, 0)}`,
    faults: mine.reduce((n, r) => n + r.gaps + r.duplicates, 0),
  };
});
const pad = (value, width) => String(value).padStart(width);
console.log(`\n| server | CPU µs/delivery | p50 ms | p99 ms | deliveries/s | delivered | gaps+dups |`);
console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: |`);
for (const row of rows)
  console.log(
    `| ${row.kind} | ${pad(row.cpu.toFixed(2), 6)} | ${pad(row.p50.toFixed(1), 6)} | ${pad(row.p99.toFixed(1), 6)} | ${pad(Math.round(row.perSecond), 7)} | ${row.delivered} | ${row.faults} |`,
  );
/** Median over rounds of the per-round ratio of CPU µs per delivery. */
const ratio = (a, b) => {
  const perRound = [];
  for (let rep = 0; rep < REPS; rep++) {
    const x = results.find((r) => r.rep === rep && r.kind === a);
    const y = results.find((r) => r.rep === rep && r.kind === b);
    if (x && y) perRound.push(x.cpuPerDelivery / y.cpuPerDelivery);
  }
  return perRound.length ? median(perRound).toFixed(2) : 'n/a';
};
console.log(
  `\nCPU µs per delivery, median of per-round ratios: project-sse/bare-sse = ${ratio('project-sse', 'bare-sse')}, ` +
    `project-ws/bare-ws = ${ratio('project-ws', 'bare-ws')}, project-ws/project-sse = ${ratio('project-ws', 'project-sse')}` +
    (NCHAN ? `, project-sse/nchan = ${ratio('project-sse', 'nchan')}` : ', nchan skipped'),
);
console.log(
  `load average: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
