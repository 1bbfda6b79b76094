// A group of subscribers in a process of its own, C (`../shared/perf/sub.c`, SSE only, one
// stream a connection, compiled with cc into a temporary folder) or Node (subscribers.mjs: SSE,
// `ws`, Socket.IO, the project's multiplexed SSE and `/ws`), behind one interface: open →
// stats() while events flow → close() with the final stats.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { muxSsePath } from './common.mjs';
import { child, spawnTracked, stopProc, tempDir } from './procs.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const SUB_C = process.env.PEERS_SUB_C ?? join(HERE, '..', '..', '..', 'shared', 'perf', 'sub.c');

let compiled;
/** The compiled C subscriber, or null when there is no cc or no sub.c. */
export function cSubscriber() {
  if (compiled !== undefined) return compiled;
  compiled = null;
  if (!existsSync(SUB_C) || spawnSync('cc', ['--version'], { stdio: 'ignore' }).status !== 0) return compiled;
  const dir = tempDir('peers-sub-');
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const binary = join(dir, 'sub');
  const cc = spawnSync('cc', ['-O2', '-o', binary, SUB_C], { stdio: 'inherit' });
  if (cc.status === 0) compiled = binary;
  return compiled;
}

/**
 * `options`: base (`http://host:port`), transport (`sse` | `ws` | `io` | `mux-sse` | `wsmux`),
 * targets (paths, for Socket.IO `{ namespace, auth }`, for the multiplexed ones stream names;
 * subscriber i takes target i % n), subs, perConn (multiplexed: subscribers a connection, 1),
 * seqField (`id` | `progress`), warmLast (every subscriber has it: `warm`), first (latencies and
 * deliveries from it), connectSeconds (C: how long connecting may take, 120).
 */
export async function openGroup(client, options) {
  if (client !== 'c') return openNode(options);
  if (options.transport === 'sse') return openC(options);
  if (options.transport === 'mux-sse' && (options.perConn ?? 1) === 1)
    return openC({ ...options, targets: options.targets.map((name) => muxSsePath([name])) });
  return openNode(options);
}

async function openNode(options) {
  const proc = child(join(HERE, 'subscribers.mjs'), [], {});
  await proc.started;
  try {
    await proc.call('open', options);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return {
    client: 'node',
    pids: [proc.pid],
    stats: (full) => proc.call('stats', full),
    resume: (delayMs) => proc.call('resume', delayMs),
    close: async () => {
      const last = await proc.call('stats', true);
      await proc.call('close');
      await proc.stop();
      return last;
    },
  };
}

async function openC({ base, targets, subs, seqField, warmLast, first, connectSeconds = 120 }) {
  const url = new URL(base);
  const dir = tempDir('peers-paths-');
  const pathsFile = join(dir, 'paths');
  writeFileSync(pathsFile, `${targets.join('\n')}\n`);
  const args = [
    ['--host', url.hostname],
    ['--port', url.port],
    ['--paths', pathsFile],
    ['--subs', subs],
    ['--seq', seqField],
    ['--warm-last', warmLast],
    ['--first', first],
    ['--count', 0],
    ['--max-seconds', 3600],
    ['--connect-timeout', connectSeconds],
  ].flatMap(([flag, value]) => [flag, String(value)]);
  const proc = spawnTracked(cSubscriber(), args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let warm = false;
  let onConnected;
  const connected = new Promise((resolve, reject) => {
    onConnected = resolve;
    proc.once('exit', (code) => reject(new Error(`sub exited with ${code} before connecting`)));
  });
  const results = [];
  createInterface({ input: proc.stdout }).on('line', (line) => {
    if (process.env.PEERS_DEBUG) console.error('sub:', line.slice(0, 120));
    if (line.startsWith('CONNECTED ')) onConnected(Number(line.slice(10)));
    else if (line === 'WARM') warm = true;
    else if (line.startsWith('RESULT ')) results.shift()?.(JSON.parse(line.slice(7)));
  });
  const request = (command) =>
    new Promise((resolve, reject) => {
      if (proc.exitCode !== null) return reject(new Error('sub has exited'));
      results.push((raw) => resolve(fromC(raw, warm)));
      proc.stdin.write(`${command}\n`);
    });
  const stop = async () => {
    await stopProc(proc);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const count = await connected;
    if (count < subs) throw new Error(`sub: ${count} of ${subs} connected`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    client: 'c',
    pids: [proc.pid],
    stats: () => request('STATS'),
    close: async () => {
      const last = await request('QUIT');
      await stop();
      return last;
    },
  };
}

/** sub.c's RESULT line in the Node group's shape (µs, CLOCK_MONOTONIC). */
const fromC = (raw, warm) => ({
  connected: raw.connected,
  warm,
  delivered: raw.delivered,
  gaps: raw.gaps,
  duplicates: raw.duplicates,
  p50Us: raw.p50_us,
  p99Us: raw.p99_us,
  firstArrivalUs: raw.first_arrival_ns / 1000,
  lastArrivalUs: raw.last_arrival_ns / 1000,
});
