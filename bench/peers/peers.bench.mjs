// Fan-out next to its peers, interleaved in one run in an order that rotates each round: bare
// node:http SSE, a bare `ws` broadcast, a bare Socket.IO room broadcast, the project's SSE, raw
// WebSocket and Socket.IO `/investigations`, its multiplexed SSE (GET /api/v1/streams,
// project-mux-sse) and WebSocket (`/api/v1/ws`, project-wsmux), and Nchan (nginx, one worker).
// Run with `npm run bench:peers` (it builds dist first). Environment:
//   PEERS_SCENARIO  fanout (default) | resume | saturation | idle, or a comma list
//   PEERS_SUBS      subscribers (1,000), PEERS_STREAMS streams they spread over (1)
//   PEERS_MUX_PER_CONN the multiplexed kinds: subscribers (each its own stream) one connection
//                   carries (1); at most PEERS_STREAMS, and a divisor of PEERS_SUBS
//   PEERS_RATE      events/s over all streams (20,000 deliveries/s: 20,000 × streams / subscribers)
//   PEERS_SECONDS   timed window (5), PEERS_REPS rounds (2)
//   PEERS_CLIENT    c (../shared/perf/sub.c, SSE; the default when cc is there) | node
//   PEERS_KINDS     a subset of the servers, comma-separated
//   PEERS_RESUMERS  resume: subscribers that drop and resume at once (100), PEERS_RESUME_DELAY_MS (300)
//   PEERS_SERVER_ARGS Node flags of the servers' processes, e.g. `--cpu-prof --cpu-prof-dir=DIR`
//   PEERS_BATCH     events published together (1; the project appends them in one call)
//   PEERS_BEFORE_DIR another built checkout of the project (\`npm run build\` there): its SSE, WebSocket,
//                   Socket.IO and multiplexed SSE and WebSocket run too, as before-sse, before-ws,
//                   before-io, before-mux-sse, before-wsmux, for a before/after in one run
//   PEERS_RATES     saturation: events/s per step (20,40,60,80,100,130,160,200), PEERS_STEP_SECONDS (4)
//   PEERS_IDLE_SUBS idle: connection counts (5000,10000,max: the open-files limit less 100 for
//                   the server's own descriptors), over PEERS_STREAMS (100) streams; SSE only (C
//                   subscribers); PEERS_IDLE_SETTLE_MS (3000); PEERS_SNAPSHOTS a folder: heap
//                   snapshots of each server before and after (bench/peers/heap-diff.mjs compares them)
import { cSubscriber } from './groups.mjs';
import { ensureNginx } from './nginx.mjs';
import { idle, openFilesLimit } from './idle.mjs';
import { fanout, resume, saturation } from './run.mjs';
import { loadLine, printFanout, printIdle, printResume, printSaturation } from './report.mjs';

const env = process.env;
const numbers = (text) => text.split(',').map(Number);
const scenarios = (env.PEERS_SCENARIO ?? 'fanout').split(',');
const client = env.PEERS_CLIENT ?? (cSubscriber() ? 'c' : 'node');
if (client === 'c' && !cSubscriber()) throw new Error('PEERS_CLIENT=c: no cc, or ../shared/perf/sub.c is missing');
const nginx = ensureNginx();
const BEFORE = env.PEERS_BEFORE_DIR ? ['before-sse', 'before-ws', 'before-io', 'before-mux-sse', 'before-wsmux'] : [];
const ALL = [
  'bare-sse',
  'bare-ws',
  'bare-io',
  ...BEFORE,
  'project-sse',
  'project-ws',
  'project-io',
  'project-mux-sse',
  'project-wsmux',
  'nchan',
];
const available = ALL.filter((kind) => kind !== 'nchan' || (nginx.nginx && nginx.nchan));
const chosen = env.PEERS_KINDS ? available.filter((kind) => env.PEERS_KINDS.split(',').includes(kind)) : available;
const SSE_KINDS = ['bare-sse', 'before-sse', 'project-sse', 'nchan'];
const IDLE_KINDS = ['bare-sse', 'project-sse'];
const subs = Number(env.PEERS_SUBS ?? 1000);
const channels = Number(env.PEERS_STREAMS ?? 1);
const reps = Number(env.PEERS_REPS ?? 2);
const batch = Number(env.PEERS_BATCH ?? 1);
const perConn = Number(env.PEERS_MUX_PER_CONN ?? 1);
if (!(perConn >= 1 && perConn <= channels && subs % perConn === 0))
  throw new Error(
    `PEERS_MUX_PER_CONN=${perConn}: 1 to PEERS_STREAMS (${channels}), and a divisor of PEERS_SUBS (${subs})`,
  );
const perConnText = (c) =>
  c.perConn > 1 ? `; multiplexed: ${c.perConn} streams a connection, ${c.subs / c.perConn} connections` : '';

const SCENARIOS = {
  fanout: {
    kinds: chosen,
    config: {
      subs,
      channels,
      rate: Number(env.PEERS_RATE ?? Math.max(1, Math.round((20_000 * channels) / subs))),
      seconds: Number(env.PEERS_SECONDS ?? 5),
    },
    describe: (c) =>
      `${c.subs} subscribers over ${c.channels} stream(s), ${c.rate} events/s for ${c.seconds} s${perConnText(c)}`,
    run: fanout,
    print: printFanout,
  },
  resume: {
    kinds: chosen.filter((kind) => SSE_KINDS.includes(kind)),
    config: {
      subs,
      channels: 1,
      rate: Number(env.PEERS_RATE ?? 20),
      seconds: Number(env.PEERS_SECONDS ?? 6),
      resumers: Number(env.PEERS_RESUMERS ?? 100),
      delayMs: Number(env.PEERS_RESUME_DELAY_MS ?? 300),
    },
    describe: (c) =>
      `${c.subs} SSE subscribers on one stream, ${c.rate} events/s for ${c.seconds} s; ${c.resumers} (Node) drop at once ` +
      `a third in and resume at once ${c.delayMs} ms later with Last-Event-ID; catch-up = until the first event sent after resuming`,
    run: resume,
    print: printResume,
  },
  saturation: {
    kinds: chosen,
    config: {
      subs,
      channels: 1,
      rates: numbers(env.PEERS_RATES ?? '20,40,60,80,100,130,160,200'),
      stepSeconds: Number(env.PEERS_STEP_SECONDS ?? 4),
    },
    describe: (c) =>
      `${c.subs} subscribers on one stream, ${c.stepSeconds} s per step at ${c.rates.join(', ')} events/s until two steps in a row are not sustained`,
    run: saturation,
    print: printSaturation,
  },
  idle: {
    kinds: chosen.filter((kind) => IDLE_KINDS.includes(kind)),
    config: {
      channels: Number(env.PEERS_STREAMS ?? 100),
      settleMs: Number(env.PEERS_IDLE_SETTLE_MS ?? 3000),
      snapshotDir: env.PEERS_SNAPSHOTS,
    },
    /** One run per connection count; `max`: as many as the open-files limit leaves. */
    sizes: (env.PEERS_IDLE_SUBS ?? '5000,10000,max')
      .split(',')
      .map((n) => ({ subs: n === 'max' ? openFilesLimit() - 100 : Number(n) })),
    describe: (c) =>
      `idle SSE subscribers over ${c.channels} streams, one event each, ${c.settleMs} ms settle, measured after a full GC`,
    run: idle,
    print: printIdle,
  },
};

console.log(
  `peers: ${client === 'c' ? 'C epoll' : 'Node'} SSE subscribers (WebSocket and Socket.IO: Node), ${reps} rounds`,
);
if (!chosen.includes('nchan') && !env.PEERS_KINDS) console.log('nchan: skipped (nginx or its nchan module is missing)');
for (const name of scenarios) {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`PEERS_SCENARIO: unknown ${name} (fanout, resume, saturation)`);
  const config = { perConn, ...scenario.config, client, nginx, batch };
  console.log(`\n## ${name}: ${scenario.describe(config)}`);
  const results = [];
  const failures = [];
  for (let rep = 0; rep < reps; rep++) {
    const order = scenario.kinds.map((_, i) => scenario.kinds[(i + rep) % scenario.kinds.length]);
    for (const size of scenario.sizes ?? [{}]) {
      for (const kind of order) {
        const label = `round ${rep + 1} ${kind}${size.subs ? ` ${size.subs}` : ''}`;
        try {
          const load = loadLine();
          results.push({ rep, kind, load, ...(await scenario.run(kind, { ...config, ...size })) });
          console.error(`${label}: done (${loadLine()})`);
        } catch (error) {
          failures.push(`${label}: ${String(error.message).split('\n')[0]}`);
          console.error(`${label}: failed (${loadLine()}): ${error.stack}`);
        }
      }
    }
  }
  scenario.print(results, scenario.kinds);
  for (const failure of failures) console.log(`failed: ${failure}`);
  console.log(loadLine());
}
