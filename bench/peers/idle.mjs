// Idle connections: the memory a server holds per open SSE subscriber that has had one event
// and then waits. For each count, the server starts, opens its channels, is measured, takes
// the subscribers (C clients, at most 10,000 a process), sends one event per channel, settles,
// and is measured again after a full GC (`--expose-gc`). Growth / connections = KB per connection.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openGroup } from './groups.mjs';
import { waitFor } from './procs.mjs';
import { startServer } from './run.mjs';

/** Subscribers per client process: the client's own descriptors stay well inside the open-files limit. */
const PER_CLIENT = 10_000;

/** VmRSS and PSS of `pids`, in KB. */
export function memoryKb(pids) {
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    rss += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    pss += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  }
  return { rss, pss };
}

/** The server's memory after a full GC: /proc's RSS and PSS, V8's heap in use and external memory (KB). */
async function measure(server) {
  const v8 = await server.publisher.call('memory');
  return { ...memoryKb(server.pids), heap: v8.heapUsed / 1024, external: v8.external / 1024 };
}

/** `subs` idle SSE subscribers over `channels` channels on a fresh `kind` server. */
export async function idle(kind, config) {
  const { subs, channels, settleMs, snapshotDir } = config;
  const server = await startServer(kind, { ...config, execArgv: ['--expose-gc'] });
  const groups = [];
  try {
    const opened = await server.publisher.call('channels', channels);
    const common = {
      base: server.base,
      transport: 'sse',
      targets: opened.sse,
      seqField: server.seqField,
      warmLast: opened.nextSeq,
      first: opened.nextSeq + 1,
      // Thousands of connections to a server that gets a sliver of a busy machine take minutes.
      connectSeconds: 900,
    };
    const before = await measure(server);
    // Snapshots cost memory of their own: with them, only the heap figures mean anything.
    if (snapshotDir) await server.publisher.call('snapshot', join(snapshotDir, `${kind}-${subs}-before.heapsnapshot`));
    for (let opening = 0; opening < subs; opening += PER_CLIENT)
      groups.push(await openGroup('c', { ...common, subs: Math.min(PER_CLIENT, subs - opening) }));
    await server.publisher.call('publish', channels, 200, 1);
    const warm = await waitFor(
      async () => (await Promise.all(groups.map((g) => g.stats()))).every((s) => s.warm),
      60_000,
      250,
    );
    if (!warm) throw new Error(`${kind}: not every subscriber got its event`);
    await sleep(settleMs);
    const after = await measure(server);
    if (snapshotDir) await server.publisher.call('snapshot', join(snapshotDir, `${kind}-${subs}-after.heapsnapshot`));
    const connected = (await Promise.all(groups.map((g) => g.stats()))).reduce((n, s) => n + s.connected, 0);
    const perConnection = Object.fromEntries(
      Object.keys(after).map((key) => [key, (after[key] - before[key]) / connected]),
    );
    return { subs, connected, before, after, perConnection };
  } finally {
    for (const group of groups) await group.close().catch(() => {});
    await server.stop();
  }
}

/** This process's open-files soft limit (its children inherit it). */
export function openFilesLimit() {
  const line = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return Number(line?.[1] ?? 1024);
}
