// The peers bench's tables: medians over rounds, and ratios of CPU µs per delivery as the median
// of the per-round ratios.
import { loadavg } from 'node:os';

export const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const whole = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en') : 'n/a');

export const loadLine = () =>
  `load average: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

function table(header, rows) {
  console.log(`\n| ${header.join(' | ')} |`);
  console.log(`| --- |${' ---: |'.repeat(header.length - 1)}`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

/**
 * The comparisons the bench reports: the project's transport to its bare peer (a multiplexed
 * one to the bare server of its wire), SSE also to Nchan; with PEERS_BEFORE_DIR, before to after.
 */
const PAIRS = [
  ['project-sse', 'bare-sse'],
  ['project-sse', 'nchan'],
  ['project-mux-sse', 'bare-sse'],
  ['project-ws', 'bare-ws'],
  ['project-wsmux', 'bare-ws'],
  ['project-io', 'bare-io'],
  ['before-sse', 'bare-sse'],
  ['before-mux-sse', 'bare-sse'],
  ['before-ws', 'bare-ws'],
  ['before-wsmux', 'bare-ws'],
  ['before-io', 'bare-io'],
  ['project-sse', 'before-sse'],
  ['project-mux-sse', 'before-mux-sse'],
  ['project-ws', 'before-ws'],
  ['project-wsmux', 'before-wsmux'],
  ['project-io', 'before-io'],
];
const pairsOf = (kinds) => PAIRS.filter(([a, b]) => kinds.includes(a) && kinds.includes(b));

const byKind = (results, kinds) => kinds.map((kind) => [kind, results.filter((r) => r.kind === kind)]);

/** Median over rounds of the per-round ratio of CPU µs per delivery of `a` to `b`. */
function ratio(results, a, b) {
  const perRound = [];
  for (const x of results.filter((r) => r.kind === a)) {
    const y = results.find((r) => r.rep === x.rep && r.kind === b);
    if (y) perRound.push(x.cpuPerDelivery / y.cpuPerDelivery);
  }
  return perRound.length ? median(perRound).toFixed(2) : 'n/a';
}

export function printFanout(results, kinds) {
  table(
    ['server', 'CPU µs/delivery', 'p50 ms', 'p99 ms', 'deliveries/s', 'events/s published', 'delivered', 'gaps+dups'],
    byKind(results, kinds).map(([kind, mine]) => [
      kind,
      fixed(median(mine.map((r) => r.cpuPerDelivery)), 2),
      fixed(median(mine.map((r) => r.p50)), 1),
      fixed(median(mine.map((r) => r.p99)), 1),
      whole(median(mine.map((r) => r.perSecond))),
      fixed(median(mine.map((r) => r.published)), 1),
      `${mine.reduce((n, r) => n + r.delivered, 0)}/${mine.reduce((n, r) => n + r.expected, 0)}`,
      mine.reduce((n, r) => n + r.gaps + r.duplicates, 0),
    ]),
  );
  const pairs = pairsOf(kinds);
  if (pairs.length)
    console.log(
      `\nCPU µs per delivery, median of per-round ratios: ${pairs.map(([a, b]) => `${a}/${b} = ${ratio(results, a, b)}`).join(', ')}`,
    );
}

export function printResume(results, kinds) {
  table(
    ['server', 'resumed', 'caught up', 'catch-up p50 ms', 'catch-up max ms', 'delivered', 'gaps', 'dups'],
    byKind(results, kinds).map(([kind, mine]) => [
      kind,
      mine.reduce((n, r) => n + r.resumed, 0),
      mine.reduce((n, r) => n + r.caughtUp, 0),
      fixed(median(mine.map((r) => r.catchUpP50)), 0),
      fixed(Math.max(...mine.map((r) => r.catchUpMax)), 0),
      `${mine.reduce((n, r) => n + r.delivered, 0)}/${mine.reduce((n, r) => n + r.expected, 0)}`,
      mine.reduce((n, r) => n + r.gaps, 0),
      mine.reduce((n, r) => n + r.duplicates, 0),
    ]),
  );
}

export function printSaturation(results, kinds) {
  table(
    [
      'server',
      'max sustained deliveries/s',
      'peak deliveries/s',
      'CPU µs/delivery there',
      'steps (events/s: deliveries/s)',
    ],
    byKind(results, kinds).map(([kind, mine]) => [
      kind,
      whole(median(mine.map((r) => r.sustained))),
      whole(median(mine.map((r) => r.peak))),
      fixed(median(mine.map((r) => r.cpuAtSustained)), 2),
      mine
        .at(-1)
        ?.steps.map((s) => `${s.rate}: ${whole(s.perSecond)}${s.sustained ? '' : '✗'}`)
        .join(', ') ?? '',
    ]),
  );
  const ratios = pairsOf(kinds).map(([a, b]) => {
    const x = median(results.filter((r) => r.kind === a).map((r) => r.sustained));
    const y = median(results.filter((r) => r.kind === b).map((r) => r.sustained));
    return `${a}/${b} = ${fixed(x / y, 2)}`;
  });
  console.log(`\nmax sustained deliveries/s, ratio of medians: ${ratios.join(', ')}`);
}

/** Least squares `y = a + b·x` over the points. */
function linearFit(points) {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const b = sxx ? points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx : NaN;
  return { a: my - b * mx, b };
}

const EXTRAPOLATE_TO = 50_000;

export function printIdle(results, kinds) {
  const sizes = [...new Set(results.map((r) => r.subs))];
  const perConnection = (mine, key) => fixed(median(mine.map((r) => r.perConnection[key])), 2);
  table(
    [
      'connections',
      'server',
      'rounds',
      'RSS KB/conn',
      'PSS KB/conn',
      'V8 heap KB/conn',
      'external KB/conn',
      'RSS MB after',
    ],
    sizes.flatMap((subs) =>
      byKind(
        results.filter((r) => r.subs === subs),
        kinds,
      ).map(([kind, mine]) => [
        whole(median(mine.map((r) => r.connected))),
        kind,
        mine.length,
        perConnection(mine, 'rss'),
        perConnection(mine, 'pss'),
        perConnection(mine, 'heap'),
        perConnection(mine, 'external'),
        fixed(median(mine.map((r) => r.after.rss / 1024)), 1),
      ]),
    ),
  );
  const [a, b] = ['project-sse', 'bare-sse'];
  if (kinds.includes(a) && kinds.includes(b)) {
    console.log(
      '\nproject-sse / bare-sse, KB per connection, per round (RSS; V8 heap) and the load average before each run:',
    );
    for (const subs of sizes)
      for (const x of results.filter((r) => r.kind === a && r.subs === subs)) {
        const y = results.find((r) => r.kind === b && r.subs === subs && r.rep === x.rep);
        if (!y) continue;
        const rss = x.perConnection.rss / y.perConnection.rss;
        const heap = x.perConnection.heap / y.perConnection.heap;
        console.log(
          `  ${whole(subs)} round ${x.rep + 1}: ${fixed(rss, 2)}; ${fixed(heap, 2)}   (${b} ${y.load}; ${a} ${x.load})`,
        );
      }
  }
  console.log(
    `\nRSS after = base + KB/conn × connections, least squares over every run; ${whole(EXTRAPOLATE_TO)} connections extrapolated on that line:`,
  );
  for (const [kind, mine] of byKind(results, kinds)) {
    if (new Set(mine.map((r) => r.connected)).size < 2) continue;
    const fit = linearFit(mine.map((r) => [r.connected, r.after.rss]));
    const at = (fit.a + fit.b * EXTRAPOLATE_TO) / 1024;
    console.log(
      `  ${kind}: base ${fixed(fit.a / 1024, 1)} MB + ${fixed(fit.b, 2)} KB/conn → ${fixed(at, 0)} MB at ${whole(EXTRAPOLATE_TO)}`,
    );
  }
}
