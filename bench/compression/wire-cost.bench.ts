import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import type { FrameKind, WireCase } from './wire-cases.js';

/**
 * Bytes on the wire and server CPU per event, with and without compression: SSE with the
 * adaptive gzip, gzip on every frame, and none; raw WebSocket with permessage-deflate and
 * without; at 100 and 1,000 subscribers; anomaly-sized events (~600 B) and short ones
 * (~120 B); a stream paced at 50 events/s and one as fast as the subscribers take it. The
 * server runs in a child process so that its CPU time is its own.
 *
 *   npm run bench:compression-wire   (SUBSCRIBERS=100,1000 EVENTS=200 to change the sizes)
 */
const SERVER = fileURLToPath(new URL('./wire-server.js', import.meta.url));
const SUBSCRIBERS = (process.env.SUBSCRIBERS ?? '100,1000').split(',').map(Number);
const EVENTS = Number(process.env.EVENTS ?? 200);

interface Child {
  readonly proc: ChildProcess;
  ask<T>(message: string, key: string): Promise<T>;
}

async function startServer(wireCase: WireCase): Promise<{ child: Child; port: number }> {
  const proc = fork(SERVER, [], { env: { ...process.env, WIRE_CASE: JSON.stringify(wireCase) } });
  const ask = async <T>(message: string, key: string): Promise<T> => {
    const reply = new Promise<T>((resolve) => {
      const on = (m: Record<string, unknown>): void => {
        if (!(key in m)) return;
        proc.off('message', on);
        resolve(m[key] as T);
      };
      proc.on('message', on);
    });
    if (message !== '') proc.send(message);
    return reply;
  };
  const child = { proc, ask };
  return { child, port: await ask<number>('', 'port') };
}

/** A subscriber that counts what its socket carried after the response's head, without decoding. */
function subscribe(wireCase: WireCase, port: number): Promise<() => Promise<number>> {
  return new Promise((resolve, reject) => {
    if (wireCase.transport === 'ws') {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: wireCase.mode === 'deflate' });
      ws.once('error', reject);
      ws.once('upgrade', (res) => {
        const headBytes = res.socket.bytesRead;
        const closed = once(ws, 'close').then(() => res.socket.bytesRead - headBytes);
        ws.once('open', () => resolve(() => closed));
      });
      return;
    }
    const gzip = wireCase.mode !== 'never';
    request(
      `http://127.0.0.1:${port}/`,
      { agent: false, headers: gzip ? { 'Accept-Encoding': 'gzip' } : {} },
      (res) => {
        const headBytes = res.socket.bytesRead;
        res.resume();
        const ended = once(res, 'end').then(() => res.socket.bytesRead - headBytes);
        resolve(() => ended);
      },
    )
      .once('error', reject)
      .end();
  });
}

interface Row {
  readonly wireCase: WireCase;
  readonly bytesPerEvent: number;
  readonly cpuUsPerEvent: number;
  readonly cpuUsPerDelivery: number;
}

async function measure(wireCase: WireCase): Promise<Row> {
  const t0 = Date.now();
  const lap = (what: string): void => {
    if (process.env.TRACE) console.log(`  ${what}: ${Date.now() - t0} ms`);
  };
  const { child, port } = await startServer(wireCase);
  lap('server');
  try {
    const ends: Array<() => Promise<number>> = [];
    for (let i = 0; i < wireCase.subscribers; i += 50) {
      const batch = Math.min(50, wireCase.subscribers - i);
      ends.push(...(await Promise.all(Array.from({ length: batch }, () => subscribe(wireCase, port)))));
    }
    while ((await child.ask<number>('count', 'count')) < wireCase.subscribers)
      await new Promise((resolve) => setTimeout(resolve, 20));
    lap('subscribed');
    const before = await child.ask<NodeJS.CpuUsage>('cpu', 'cpu');
    await child.ask('publish', 'published');
    lap('published');
    const bytes = (await Promise.all(ends.map((end) => end()))).reduce((a, b) => a + b, 0);
    lap('received');
    const after = await child.ask<NodeJS.CpuUsage>('cpu', 'cpu');
    const cpuUs = after.user - before.user + (after.system - before.system);
    const deliveries = wireCase.events * wireCase.subscribers;
    return {
      wireCase,
      bytesPerEvent: bytes / deliveries,
      cpuUsPerEvent: cpuUs / wireCase.events,
      cpuUsPerDelivery: cpuUs / deliveries,
    };
  } finally {
    child.proc.kill('SIGKILL');
  }
}

const MODES: ReadonlyArray<Pick<WireCase, 'transport' | 'mode' | 'windowBits'>> = [
  { transport: 'sse', mode: 'never' },
  { transport: 'sse', mode: 'always' },
  { transport: 'sse', mode: 'adaptive' },
  { transport: 'ws', mode: 'none' },
  { transport: 'ws', mode: 'deflate', windowBits: 10 },
  { transport: 'ws', mode: 'deflate', windowBits: 13 },
];
/** Each stream at each size; `long`: EVENTS × 8 events, at 100 subscribers only (long enough for the adaptive gzip's probes). */
const STREAMS: ReadonlyArray<{ kind: FrameKind; paceMs: number; long?: boolean }> = [
  { kind: 'anomaly', paceMs: 20 },
  { kind: 'anomaly', paceMs: 0 },
  { kind: 'short', paceMs: 20 },
  { kind: 'anomaly', paceMs: 0, long: true },
];

async function main(): Promise<void> {
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    ['transport', 'mode', 'frames', 'pace', 'subs', 'events', 'B/event/sub', 'CPU µs/event', 'CPU µs/event/sub'].join(
      ' | ',
    ),
  );
  for (const subscribers of SUBSCRIBERS)
    for (const { long, ...stream } of STREAMS) {
      if (long && subscribers > 100) continue;
      for (const mode of MODES) {
        const row = await measure({ ...mode, ...stream, subscribers, events: long ? EVENTS * 8 : EVENTS });
        const { wireCase: c } = row;
        console.log(
          [
            c.transport,
            c.windowBits ? `${c.mode} (window ${c.windowBits})` : c.mode,
            c.kind,
            c.paceMs > 0 ? `${1000 / c.paceMs}/s` : 'max',
            c.subscribers,
            c.events,
            row.bytesPerEvent.toFixed(1),
            row.cpuUsPerEvent.toFixed(0),
            row.cpuUsPerDelivery.toFixed(2),
          ].join(' | '),
        );
      }
    }
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

await main();
