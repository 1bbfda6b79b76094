import { contractDate, contractValue, type Contract } from '../model/contract.model.js';
import { formatBrl, formatPercentPt } from '../text/number.formatter.js';
import { monthKey, monthLabelPt, parseIsoDate } from '../util/iso-date.js';

export interface MonthlyPoint {
  /** `YYYY-MM` */
  readonly month: string;
  readonly count: number;
  readonly value: number;
  /** Month-over-month change of value (0.25 = +25%); null for the first month or after an empty one. */
  readonly valueGrowth: number | null;
  readonly countGrowth: number | null;
}

export const TREND_DIRECTIONS = ['crescente', 'estável', 'decrescente', 'indefinida'] as const;
export type TrendDirection = (typeof TREND_DIRECTIONS)[number];

/** Anita's findings; plain data so it can travel inside an event. */
export interface TrendReport {
  readonly months: MonthlyPoint[];
  readonly totalContracts: number;
  readonly totalValue: number;
  readonly undatedContracts: number;
  readonly peakMonth: { readonly month: string; readonly value: number; readonly count: number } | null;
  /** Share of the dated value signed in December; null without dated value. */
  readonly decemberShare: number | null;
  readonly averageMonthlyGrowth: number | null;
  readonly direction: TrendDirection;
  readonly summary: string;
}

export interface TrendAccumulator {
  add(contracts: readonly Contract[]): void;
  report(): TrendReport;
}

/** Months between the first and last are filled with zeros only up to this span; beyond, stray dates would bloat the series. */
const MAX_FILLED_MONTHS = 120;
const round2 = (value: number): number => Math.round(value * 100) / 100;

interface MonthTotals {
  count: number;
  value: number;
}

class MonthlyTrendAccumulator implements TrendAccumulator {
  private readonly months = new Map<string, MonthTotals>();
  /** Contracts of a day share its date string: find its month once per distinct date. */
  private readonly byDate = new Map<string, MonthTotals | null>();
  private total = 0;
  private totalValue = 0;
  private undated = 0;

  add(contracts: readonly Contract[]): void {
    for (const contract of contracts) {
      const value = contractValue(contract);
      this.total++;
      this.totalValue += value;
      const month = this.monthOf(contractDate(contract));
      if (!month) {
        this.undated++;
        continue;
      }
      month.count++;
      month.value += value;
    }
  }

  private monthOf(date: string | null): MonthTotals | null {
    if (date === null) return null;
    let month = this.byDate.get(date);
    if (month === undefined) {
      const parts = parseIsoDate(date);
      month = parts ? this.totalsOf(monthKey(parts)) : null;
      if (this.byDate.size >= 10_000) this.byDate.clear();
      this.byDate.set(date, month);
    }
    return month;
  }

  private totalsOf(key: string): MonthTotals {
    let totals = this.months.get(key);
    if (!totals) {
      totals = { count: 0, value: 0 };
      this.months.set(key, totals);
    }
    return totals;
  }

  report(): TrendReport {
    const months = withGrowth(this.series());
    const datedValue = months.reduce((sum, m) => sum + m.value, 0);
    const december = months.filter((m) => m.month.endsWith('-12')).reduce((sum, m) => sum + m.value, 0);
    const peak = months.reduce<MonthlyPoint | null>((best, m) => (!best || m.value > best.value ? m : best), null);
    const growths = months.map((m) => m.valueGrowth).filter((g): g is number => g !== null);
    const report = {
      months,
      totalContracts: this.total,
      totalValue: round2(this.totalValue),
      undatedContracts: this.undated,
      peakMonth: peak ? { month: peak.month, value: peak.value, count: peak.count } : null,
      decemberShare: datedValue > 0 ? Math.round((december / datedValue) * 10_000) / 10_000 : null,
      averageMonthlyGrowth:
        growths.length > 0 ? Math.round((growths.reduce((a, b) => a + b, 0) / growths.length) * 10_000) / 10_000 : null,
      direction: direction(months),
    };
    return { ...report, summary: summarize(report) };
  }

  private series(): Array<{ month: string; count: number; value: number }> {
    const keys = [...this.months.keys()].sort();
    const first = keys[0];
    const last = keys[keys.length - 1];
    const span = first && last ? monthIndex(last) - monthIndex(first) + 1 : 0;
    const all =
      first && span <= MAX_FILLED_MONTHS
        ? Array.from({ length: span }, (_, i) => keyOfIndex(monthIndex(first) + i))
        : keys;
    return all.map((month) => {
      const data = this.months.get(month);
      return { month, count: data?.count ?? 0, value: round2(data?.value ?? 0) };
    });
  }
}

export function createTrendAccumulator(): TrendAccumulator {
  return new MonthlyTrendAccumulator();
}

/** Anita: monthly series from contracts at hand, or from an accumulator fed batch by batch. */
export function analyzeTrends(input: readonly Contract[] | TrendAccumulator): TrendReport {
  if (isAccumulator(input)) return input.report();
  const accumulator = createTrendAccumulator();
  accumulator.add(input);
  return accumulator.report();
}

function isAccumulator(input: readonly Contract[] | TrendAccumulator): input is TrendAccumulator {
  return !Array.isArray(input);
}

const monthIndex = (key: string): number => Number(key.slice(0, 4)) * 12 + Number(key.slice(5, 7)) - 1;
const keyOfIndex = (index: number): string => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
const growth = (current: number, previous: number | undefined): number | null =>
  previous === undefined || previous <= 0 ? null : Math.round(((current - previous) / previous) * 10_000) / 10_000;

function withGrowth(series: Array<{ month: string; count: number; value: number }>): MonthlyPoint[] {
  return series.map((point, i) => ({
    ...point,
    valueGrowth: growth(point.value, series[i - 1]?.value),
    countGrowth: growth(point.count, series[i - 1]?.count),
  }));
}

/** Least-squares slope of the monthly values, relative to their mean, over the whole span. */
function direction(months: readonly MonthlyPoint[]): TrendDirection {
  const n = months.length;
  if (n < 3) return 'indefinida';
  const mean = months.reduce((sum, m) => sum + m.value, 0) / n;
  if (mean <= 0) return 'indefinida';
  const xMean = (n - 1) / 2;
  let num = 0;
  let den = 0;
  months.forEach((m, x) => {
    num += (x - xMean) * (m.value - mean);
    den += (x - xMean) ** 2;
  });
  const relativeChange = ((num / den) * (n - 1)) / mean;
  if (relativeChange > 0.2) return 'crescente';
  if (relativeChange < -0.2) return 'decrescente';
  return 'estável';
}

function summarize(report: Omit<TrendReport, 'summary'>): string {
  if (report.totalContracts === 0) return 'Nenhum contrato analisado.';
  const parts = [`${report.totalContracts} contratos somando ${formatBrl(report.totalValue)}`];
  if (report.peakMonth)
    parts.push(`pico em ${monthLabelPt(report.peakMonth.month)} (${formatBrl(report.peakMonth.value)})`);
  if (report.decemberShare !== null) parts.push(`dezembro concentra ${formatPercentPt(report.decemberShare)} do valor`);
  parts.push(`tendência ${report.direction}`);
  return `${parts.join('; ')}.`;
}
