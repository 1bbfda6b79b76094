// Scale-out: EVENT_STORE=postgres and NATS, the workers process, two API processes; SSE
// subscribers through nginx (round-robin over the upstreams), the rate raised step by step as in
// the peers bench's saturation scenario, with one API process behind nginx and then with both.
// Run with `npm run bench:scale-out` (it builds dist first). Environment:
//   SCALE_SUBS (1,000), SCALE_STREAMS (1), SCALE_RATES events/s per step (20,40,...), SCALE_STEP_SECONDS (4),
//   SCALE_BATCH events per append (10), SCALE_REPS (1; the order of one and two alternates), SCALE_NGINX_WORKERS (2), PEERS_CLIENT (c | node),
//   SCALE_API_CPU (unset: no limit; e.g. 0.25: each API process capped at a quarter of a core by a
//   cgroup, as a container's CPU limit would, so that the API and not the machine is the bottleneck)
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cSubscriber } from '../peers/groups.mjs';
import { ensureNginx, startNginx } from '../peers/nginx.mjs';
import { loadLine, median } from '../peers/report.mjs';
import { saturation } from '../peers/run.mjs';
import { startDeployment } from './deployment.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const subs = Number(env.SCALE_SUBS ?? 1000);
const config = {
  subs,
  channels: Number(env.SCALE_STREAMS ?? 1),
  rates: (env.SCALE_RATES ?? '20,40,60,80,100,120,140,170,200').split(',').map(Number),
  stepSeconds: Number(env.SCALE_STEP_SECONDS ?? 4),
  /** Events per append: one PostgreSQL commit (an fsync) per event caps one stream at a few dozen events/s. */
  batch: Number(env.SCALE_BATCH ?? 10),
  offerPublished: true,
  client: env.PEERS_CLIENT ?? (cSubscriber() ? 'c' : 'node'),
};
const reps = Number(env.SCALE_REPS ?? 1);
const workers = env.SCALE_NGINX_WORKERS ?? '2';
const apiCpu = env.SCALE_API_CPU ? Number(env.SCALE_API_CPU) : undefined;
if (apiCpu !== undefined && !(apiCpu > 0))
  throw new Error(`SCALE_API_CPU must be a number of cores above 0, not ${env.SCALE_API_CPU}`);
const { nginx } = ensureNginx({ nchan: false });
if (!nginx) throw new Error('nginx is missing and could not be installed (apt-get install nginx-light)');

console.log(
  `scale-out: ${subs} ${config.client === 'c' ? 'C epoll' : 'Node'} SSE subscribers over ${config.channels} stream(s) through nginx ` +
    `(${workers} workers), ${config.stepSeconds} s per step at ${config.rates.join(', ')} events/s; ` +
    `EVENT_STORE=postgres, NATS, the workers process appending the events ${config.batch} per append; ${reps} round(s)` +
    (apiCpu ? `; each API process limited to ${apiCpu} core(s)` : ''),
);
const deployment = await startDeployment(2, { apiCpu });
const results = [];
try {
  for (let rep = 0; rep < reps; rep++) {
    for (const n of rep % 2 ? [2, 1] : [1, 2]) {
      const apis = deployment.apis.slice(0, n);
      const idle = deployment.apis.slice(n);
      const start = async () => {
        const proxy = await startNginx(nginx, join(HERE, 'nginx.conf.tmpl'), {
          WORKERS: workers,
          CONNECTIONS: 2 * subs + 1024,
          UPSTREAMS: apis.map((api) => `    server 127.0.0.1:${api.port};`).join('\n'),
        });
        return {
          pids: apis.map((api) => api.pid),
          watch: {
            nginx: [proxy.pid],
            publisher: [deployment.publisher.pid],
            ...(idle.length ? { 'idle API': idle.map((api) => api.pid) } : {}),
          },
          publisher: deployment.publisher,
          base: `http://127.0.0.1:${proxy.port}`,
          transport: 'sse',
          seqField: 'id',
          stop: proxy.stop,
        };
      };
      const result = await saturation(`${n} API`, { ...config, start });
      results.push({ rep, n, ...result });
      console.error(`round ${rep + 1}, ${n} API process(es): done (${loadLine()})`);
    }
  }
} finally {
  await deployment.dispose();
}

const cores = (step) =>
  step
    ? Object.entries(step.cores)
        .map(([name, busy]) => `${name === 'server' ? 'API' : name} ${busy.toFixed(2)}`)
        .join(', ')
    : '';
console.log(
  '\n| API processes | max sustained deliveries/s | peak deliveries/s | API CPU µs/delivery at max sustained | at the peak | CPU cores busy at the peak step |',
);
console.log('| --- | ---: | ---: | ---: | ---: | --- |');
for (const n of [1, 2]) {
  const mine = results.filter((r) => r.n === n);
  const peakStep = mine.at(-1)?.steps.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  console.log(
    `| ${n} | ${Math.round(median(mine.map((r) => r.sustained))).toLocaleString('en')} | ` +
      `${Math.round(median(mine.map((r) => r.peak))).toLocaleString('en')} | ` +
      `${median(mine.map((r) => r.cpuAtSustained)).toFixed(2)} | ${peakStep?.cpuPerDelivery.toFixed(2)} | ${cores(peakStep)} |`,
  );
}
for (const n of [1, 2])
  for (const r of results.filter((x) => x.n === n))
    console.log(
      `${n} API, round ${r.rep + 1}: ${r.steps.map((s) => `${s.rate}/s (published ${Math.round(s.published)}/s) → ${Math.round(s.perSecond)}${s.sustained ? '' : '✗'} (${cores(s)})`).join('; ')}`,
    );
const ratio = (key) =>
  median(results.filter((r) => r.n === 2).map((r) => r[key])) /
  median(results.filter((r) => r.n === 1).map((r) => r[key]));
console.log(
  `\ntwo API processes / one: max sustained deliveries/s ${ratio('sustained').toFixed(2)}, peak ${ratio('peak').toFixed(2)} (goal ≥ 1.6)`,
);
console.log(loadLine());
