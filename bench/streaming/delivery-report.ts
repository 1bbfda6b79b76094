import { eventsOnStream, indexOf, type AppendPlan, type AppendReport } from './append-plan.js';
import type { CpuSpent } from './cpu-window.js';
import type { SseSubscriber } from './sse-subscriber.js';

export interface Scenario {
  readonly name: string;
  readonly subscribers: number;
  readonly streams: number;
  readonly events: number;
  readonly ratePerSecond: number;
}

/** A subscriber and the stream (index into the plan's investigations) it watches. */
export interface Watch {
  readonly stream: number;
  readonly subscriber: SseSubscriber;
}

export interface DeliveryFigures {
  readonly scenario: Scenario;
  readonly placement: string;
  /** The API runs in the subscribers' process: its CPU and RSS include theirs. */
  readonly sameProcess: boolean;
  readonly appended: number;
  readonly achievedRatePerSecond: number;
  readonly appendErrors: number;
  readonly expected: number;
  readonly delivered: number;
  readonly duplicates: number;
  readonly unexpected: number;
  readonly failedSubscribers: number;
  readonly latencyMs: { readonly median: number; readonly p90: number; readonly p99: number; readonly max: number };
  readonly deliveredPerSecond: number;
  readonly spanSeconds: number;
  readonly apiPeakRssBytes: number;
  readonly apiCpuPercent: number;
  readonly benchRssBytes: number;
  readonly benchCpuPercent: number;
  /** CPU of every other process on the machine during the appends, in % of one core. */
  readonly otherCpuPercent: number;
}

export interface ApiPlacement {
  readonly description: string;
  readonly sameProcess: boolean;
}

export function expectedDeliveries(watches: readonly Watch[], plan: AppendPlan): number {
  return watches.reduce((sum, w) => sum + eventsOnStream(w.stream, plan), 0);
}

export function deliveredSoFar(watches: readonly Watch[]): number {
  return watches.reduce((sum, w) => sum + w.subscriber.counts.delivered, 0);
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** Receive time minus append time for every delivered frame, plus the last arrival. */
function latencies(
  watches: readonly Watch[],
  plan: AppendPlan,
  report: AppendReport,
): { all: Float64Array; lastArrival: number } {
  const all = new Float64Array(deliveredSoFar(watches));
  let count = 0;
  let lastArrival = 0;
  for (const { stream, subscriber } of watches) {
    subscriber.receivedAtMs.forEach((receivedAt, slot) => {
      if (receivedAt === 0) return;
      const index = indexOf(stream, plan.firstRevision + slot, plan);
      all[count++] = receivedAt - (report.appendedAtMs[index] ?? Number.NaN);
      lastArrival = Math.max(lastArrival, receivedAt);
    });
  }
  return { all: all.subarray(0, count).sort(), lastArrival };
}

const percentOf = (ms: number, wallMs: number): number => (wallMs > 0 ? (100 * ms) / wallMs : 0);

/** `cpu`: what the subscribers' process and the machine spent over the window of the appends. */
export function measure(
  scenario: Scenario,
  placement: ApiPlacement,
  watches: readonly Watch[],
  plan: AppendPlan,
  report: AppendReport,
  cpu: CpuSpent,
): DeliveryFigures {
  const { all, lastArrival } = latencies(watches, plan, report);
  const firstAppend = report.appendedAtMs[0] ?? 0;
  const spanSeconds = (lastArrival - firstAppend) / 1000;
  const sum = (pick: (s: SseSubscriber) => number): number =>
    watches.reduce((total, w) => total + pick(w.subscriber), 0);
  const ours = placement.sameProcess ? cpu.processMs : cpu.processMs + report.cpuMs;
  return {
    scenario,
    placement: placement.description,
    sameProcess: placement.sameProcess,
    appended: plan.events - report.appendErrors,
    achievedRatePerSecond: report.wallMs > 0 ? (1000 * plan.events) / report.wallMs : 0,
    appendErrors: report.appendErrors,
    expected: expectedDeliveries(watches, plan),
    delivered: all.length,
    duplicates: sum((s) => s.counts.duplicates),
    unexpected: sum((s) => s.counts.unexpected),
    failedSubscribers: sum((s) => (s.counts.error !== null || s.counts.ended ? 1 : 0)),
    latencyMs: {
      median: percentile(all, 50),
      p90: percentile(all, 90),
      p99: percentile(all, 99),
      max: percentile(all, 100),
    },
    deliveredPerSecond: spanSeconds > 0 ? all.length / spanSeconds : 0,
    spanSeconds,
    apiPeakRssBytes: report.peakRssBytes,
    apiCpuPercent: percentOf(report.cpuMs, report.wallMs),
    benchRssBytes: process.memoryUsage.rss(),
    benchCpuPercent: percentOf(cpu.processMs, cpu.wallMs),
    otherCpuPercent: Math.max(0, percentOf(cpu.machineBusyMs - ours, cpu.wallMs)),
  };
}

const ms = (value: number): string => value.toFixed(value < 10 ? 2 : 1);
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const thousands = (value: number): string => Math.round(value).toLocaleString('en-US');

/** `otherIncludes`: what else counts as "other processes" here (the PostgreSQL server, when it is the store). */
export function printFigures(f: DeliveryFigures, otherIncludes: string | null = null): void {
  const s = f.scenario;
  const lines = [
    `${s.name}: ${s.subscribers} subscriber(s) on ${s.streams} stream(s)`,
    `  API                  ${f.placement}`,
    `  events appended      ${f.appended} at ${s.ratePerSecond}/s, achieved ${f.achievedRatePerSecond.toFixed(1)}/s (append errors: ${f.appendErrors})`,
    `  events delivered     ${f.delivered} of ${f.expected} expected (subscribers x events on their stream)`,
    `  latency ms           median ${ms(f.latencyMs.median)}  p90 ${ms(f.latencyMs.p90)}  p99 ${ms(f.latencyMs.p99)}  max ${ms(f.latencyMs.max)}`,
    `  delivered events/s   ${thousands(f.deliveredPerSecond)} (first append to last delivery: ${f.spanSeconds.toFixed(2)} s)`,
    `  API process          peak RSS ${mb(f.apiPeakRssBytes)}, CPU ${f.apiCpuPercent.toFixed(0)}% of one core while appending${f.sameProcess ? ' (subscribers included)' : ''}`,
    f.sameProcess
      ? null
      : `  bench process        RSS ${mb(f.benchRssBytes)}, CPU ${f.benchCpuPercent.toFixed(0)}% of one core while appending (the subscribers)`,
    `  other processes      CPU ${f.otherCpuPercent.toFixed(0)}% of one core while appending${otherIncludes ? ` (${otherIncludes})` : ''}` +
      (f.otherCpuPercent >= 20 ? '  <- the machine was busy: figures disturbed' : ''),
  ];
  console.log(lines.filter((line) => line !== null).join('\n'));
  if (
    f.delivered !== f.expected ||
    f.duplicates > 0 ||
    f.unexpected > 0 ||
    f.failedSubscribers > 0 ||
    f.appendErrors > 0
  ) {
    console.log(
      `  !!!!! MISMATCH: delivered ${f.delivered} of ${f.expected}, duplicates ${f.duplicates}, unexpected ids ${f.unexpected}, ` +
        `subscribers ended or failed ${f.failedSubscribers}, append errors ${f.appendErrors} !!!!!`,
    );
  }
  console.log('');
}

/** The figures as a Markdown table, ready for docs/benchmarks.md. */
export function printTable(all: readonly DeliveryFigures[]): void {
  console.log(
    '| scenario | subscribers | streams | events appended (rate) | delivered / expected | median ms | p90 ms | p99 ms | max ms | delivered events/s | API peak RSS | API CPU | other CPU |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const f of all) {
    const s = f.scenario;
    console.log(
      `| ${s.name} | ${s.subscribers} | ${s.streams} | ${f.appended} (${s.ratePerSecond}/s) | ${f.delivered} / ${f.expected} | ` +
        `${ms(f.latencyMs.median)} | ${ms(f.latencyMs.p90)} | ${ms(f.latencyMs.p99)} | ${ms(f.latencyMs.max)} | ` +
        `${thousands(f.deliveredPerSecond)} | ${mb(f.apiPeakRssBytes)} | ${f.apiCpuPercent.toFixed(0)}% | ${f.otherCpuPercent.toFixed(0)}% |`,
    );
  }
}
