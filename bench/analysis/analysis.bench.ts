import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ANOMALY_TYPES, SyntheticContractSource } from '#analysis';
import { evaluate, precisionOf, recallOf, sumScores, type DetectorScore } from './accuracy.evaluator.js';
import { fixed, table, thousands } from './report.table.js';
import { probeThroughput, type ThroughputResult } from './throughput.probe.js';

/** Seeds used while choosing thresholds and generator rates. */
const TUNING_SEEDS = ['tuning-1', 'tuning-2'];
/** Seeds fixed before measuring and never used while tuning. */
const EVALUATION_SEEDS = ['eval-2024-a', 'eval-2024-b', 'eval-2024-c'];
const ACCURACY_CONTRACTS = 200_000;
const PAGE_SIZE = 1_000;

function accuracy(seeds: readonly string[]): void {
  const started = Date.now();
  const perSeed = seeds.map((seed) =>
    evaluate(new SyntheticContractSource({ seed, totalContracts: ACCURACY_CONTRACTS }), PAGE_SIZE),
  );
  const byType = ANOMALY_TYPES.map((type) =>
    sumScores(
      type,
      perSeed.flatMap((scores: DetectorScore[]) => scores.filter((s) => s.type === type)),
    ),
  );
  const overall = sumScores('overall (micro)', byType);
  const row = (s: ReturnType<typeof sumScores>) => [
    s.type,
    s.planted,
    s.found,
    s.reported,
    s.truePositives,
    fixed(precisionOf(s)),
    fixed(recallOf(s)),
  ];
  console.log(
    `\nPrecision / recall on ${seeds.length} × ${thousands(ACCURACY_CONTRACTS)} synthetic contracts, seeds ${seeds.join(', ')}`,
  );
  console.log(
    seeds === EVALUATION_SEEDS
      ? `(evaluation seeds: never used while tuning, which used ${TUNING_SEEDS.join(', ')})`
      : '(tuning seeds)',
  );
  console.log(
    table(
      ['detector', 'planted', 'found', 'reported', 'true pos.', 'precision', 'recall'],
      [...byType.map(row), row(overall)],
    ),
  );
  console.log(`accuracy run: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function throughputInChild(contracts: number): ThroughputResult {
  const child = spawnSync(
    process.execPath,
    ['--single-threaded-gc', '--expose-gc', fileURLToPath(import.meta.url), '--probe', String(contracts)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (child.status !== 0) throw new Error(`throughput probe for ${contracts} failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as ThroughputResult;
}

function throughput(sizes: readonly number[]): void {
  const results = sizes.map(throughputInChild);
  console.log(
    '\nThroughput on one core (node --single-threaded-gc: the collector runs on the main thread), page size 1,000, all 7 detectors + trends',
  );
  console.log(
    table(
      [
        'contracts',
        'end-to-end s',
        'end-to-end CPU s',
        'end-to-end contracts/s',
        'generator only s',
        'analysis only contracts/s',
        'anomalies',
      ],
      results.map((r) => [
        thousands(r.contracts),
        fixed(r.endToEndSeconds, 2),
        fixed(r.endToEndCpuSeconds, 2),
        thousands(r.contracts / r.endToEndSeconds),
        fixed(r.generationSeconds, 2),
        thousands(r.contracts / Math.max(1e-9, r.endToEndSeconds - r.generationSeconds)),
        thousands(r.anomalies),
      ]),
    ),
  );
  console.log(
    '\nMemory (MB). Live heap = heap used after a full collection, once 10%, 50% and 100% of the contracts went through',
  );
  console.log(
    table(
      ['contracts', 'RSS before', 'peak RSS', 'peak heap used', 'live heap at 10%', 'at 50%', 'at 100% (after finish)'],
      results.map((r) => [
        thousands(r.contracts),
        fixed(r.baselineRssMb, 1),
        fixed(r.peakRssMb, 1),
        fixed(r.peakHeapMb, 1),
        ...r.liveHeapMb.map((m) => fixed(m, 1)),
      ]),
    ),
  );
}

function machine(): string {
  const [one, five] = loadavg();
  return `${cpus().length} CPUs, load average ${one?.toFixed(2)} (1 min) / ${five?.toFixed(2)} (5 min)`;
}

function main(args: readonly string[]): void {
  const probe = args.indexOf('--probe');
  if (probe >= 0) {
    process.stdout.write(JSON.stringify(probeThroughput(Number(args[probe + 1]))));
    return;
  }
  console.log(
    `Investigation analysis benchmark — node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${machine()}`,
  );
  if (!args.includes('--no-accuracy')) accuracy(args.includes('--tuning') ? TUNING_SEEDS : EVALUATION_SEEDS);
  if (!args.includes('--no-throughput')) throughput(args.includes('--quick') ? [100_000] : [100_000, 1_000_000]);
}

main(process.argv.slice(2));
