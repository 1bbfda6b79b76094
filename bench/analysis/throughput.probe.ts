import { ANOMALY_TYPES, createAnalysisSession, createTrendAccumulator, SyntheticContractSource } from '#analysis';

export interface ThroughputResult {
  readonly contracts: number;
  readonly generationSeconds: number;
  readonly endToEndSeconds: number;
  /** CPU time of the process during the end-to-end pass: the figure a busy machine disturbs least. */
  readonly endToEndCpuSeconds: number;
  readonly anomalies: number;
  readonly baselineRssMb: number;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  readonly retainedHeapMb: number;
  /** Live heap (after a full collection) once 10%, 50% and 100% of the contracts went through. */
  readonly liveHeapMb: readonly number[];
}

const PAGE_SIZE = 1_000;
const mb = (bytes: number): number => Math.round((bytes / 1_048_576) * 10) / 10;
const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

/** Live heap now, and how long measuring it took (kept out of the timings). */
function liveHeap(): { mb: number; seconds: number } {
  const start = process.hrtime.bigint();
  collectGarbage();
  return { mb: mb(process.memoryUsage().heapUsed), seconds: seconds(start) };
}

/**
 * One measurement, run in a fresh process so peaks are its own: first the generator alone,
 * then generator + every detector + the trend accumulator, page by page as the actors do.
 */
export function probeThroughput(contracts: number): ThroughputResult {
  const source = new SyntheticContractSource({ seed: 'throughput-probe', totalContracts: contracts });
  collectGarbage();
  const baselineRss = process.memoryUsage().rss;
  let start = process.hrtime.bigint();
  for (let page = 1; source.page({}, page, PAGE_SIZE).hasMore; page++);
  const generationSeconds = seconds(start);

  const session = createAnalysisSession({ detectors: [...ANOMALY_TYPES] });
  const trends = createTrendAccumulator();
  let anomalies = 0;
  let peakRss = 0;
  let peakHeap = 0;
  let measuring = 0;
  const live: number[] = [];
  const checkpoints = new Set([Math.ceil(contracts / PAGE_SIZE / 10), Math.ceil(contracts / PAGE_SIZE / 2)]);
  start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let page = 1; ; page++) {
    const result = source.page({}, page, PAGE_SIZE);
    anomalies += session.feed(result.contracts).length;
    trends.add(result.contracts);
    if (page % 50 === 0) {
      const memory = process.memoryUsage();
      peakRss = Math.max(peakRss, memory.rss);
      peakHeap = Math.max(peakHeap, memory.heapUsed);
    }
    if (checkpoints.has(page)) {
      const heap = liveHeap();
      live.push(heap.mb);
      measuring += heap.seconds;
    }
    if (!result.hasMore) break;
  }
  anomalies += session.finish().length;
  trends.report();
  const endToEndSeconds = seconds(start) - measuring;
  const cpu = process.cpuUsage(cpuStart);
  live.push(liveHeap().mb);
  return {
    contracts,
    generationSeconds,
    endToEndSeconds,
    endToEndCpuSeconds: (cpu.user + cpu.system) / 1e6 - measuring,
    anomalies,
    baselineRssMb: mb(baselineRss),
    peakRssMb: mb(Math.max(peakRss, process.memoryUsage().rss)),
    peakHeapMb: mb(peakHeap),
    retainedHeapMb: live[live.length - 1] ?? 0,
    liveHeapMb: live,
  };
}
