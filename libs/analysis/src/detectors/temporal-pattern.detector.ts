import type { Anomaly } from '../model/anomaly.model.js';
import { formatNumberPt } from '../text/number.formatter.js';
import { monthLabelPt } from '../util/iso-date.js';
import { clamp01, makeAnomaly, round } from './anomaly.factory.js';
import type { ContractFacts } from './contract-facts.builder.js';
import type { TemporalPatternOptions } from './detector-options.js';
import type { Detector } from './detector.port.js';

const SAMPLE_IDS = 3;
/** A month needs this many contracts to be called a spike at all. */
const MIN_MONTH_CONTRACTS = 5;

interface YearState {
  readonly counts: Uint32Array;
  readonly values: Float64Array;
  /** Up to SAMPLE_IDS ids per month, month-major. */
  readonly samples: string[];
  readonly sampleCounts: Uint8Array;
  total: number;
}

interface BuyerState {
  readonly buyer: string;
  readonly name: string;
  readonly years: Map<number, YearState>;
  /** Most contracts of a buyer fall in one year: skip the map lookup for it. */
  lastYear: number;
  lastState: YearState | null;
}

interface MonthCheck {
  readonly buyer: string;
  readonly state: BuyerState;
  readonly year: number;
  readonly month: number;
  readonly yearState: YearState;
  readonly expected: number;
  readonly share: number;
}

/**
 * Monthly spikes and year-end rushes: each buyer's contracts per month against the calendar
 * of all the other buyers (leave-one-out), so a December rush everybody has is the baseline,
 * and only a buyer far above it is flagged.
 */
export class TemporalPatternDetector implements Detector {
  readonly type = 'temporal_pattern' as const;
  /** Indexed by buyer id. */
  private readonly buyers: BuyerState[] = [];
  private readonly pooled = new Float64Array(12);
  private pooledTotal = 0;

  constructor(private readonly options: TemporalPatternOptions) {}

  observe(facts: ContractFacts): void {
    if (!facts.date) return;
    const m = facts.date.month - 1;
    const year = this.yearState(facts);
    year.counts[m] = (year.counts[m] ?? 0) + 1;
    year.values[m] = (year.values[m] ?? 0) + facts.value;
    year.total++;
    const kept = year.sampleCounts[m] ?? 0;
    if (kept < SAMPLE_IDS) {
      year.samples[m * SAMPLE_IDS + kept] = facts.contract.id;
      year.sampleCounts[m] = kept + 1;
    }
    this.pooled[m] = (this.pooled[m] ?? 0) + 1;
    this.pooledTotal++;
  }

  finish(out: Anomaly[]): void {
    for (const state of this.buyers) {
      if (!state) continue;
      const buyer = state.buyer;
      for (const [year, yearState] of state.years) {
        if (yearState.total < this.options.minYearContracts) continue;
        const shares = this.referenceShares(yearState);
        if (!shares) continue;
        for (let month = 1; month <= 12; month++) {
          const share = shares[month - 1] ?? 0;
          const check = { buyer, state, year, month, yearState, share, expected: share * yearState.total };
          const anomaly = this.judge(check);
          if (anomaly) out.push(anomaly);
        }
      }
    }
  }

  private yearState(facts: ContractFacts): YearState {
    let buyer = this.buyers[facts.buyerId];
    if (!buyer) {
      buyer = {
        buyer: facts.buyer,
        name: facts.contract.unidadeGestora.nome,
        years: new Map(),
        lastYear: -1,
        lastState: null,
      };
      this.buyers[facts.buyerId] = buyer;
    }
    const yearNumber = facts.date?.year ?? 0;
    if (buyer.lastYear === yearNumber && buyer.lastState) return buyer.lastState;
    let year = buyer.years.get(yearNumber);
    if (!year) {
      year = {
        counts: new Uint32Array(12),
        values: new Float64Array(12),
        samples: [],
        sampleCounts: new Uint8Array(12),
        total: 0,
      };
      buyer.years.set(yearNumber, year);
    }
    buyer.lastYear = yearNumber;
    buyer.lastState = year;
    return year;
  }

  /** Month shares expected for this buyer-year; null when there is nothing fair to compare with. */
  private referenceShares(own: YearState): number[] | null {
    const othersTotal = this.pooledTotal - own.total;
    if (othersTotal >= this.options.minReferenceContracts) {
      // Half a contract per month keeps an empty reference month from making any count infinite.
      return Array.from(
        { length: 12 },
        (_, m) => ((this.pooled[m] ?? 0) - (own.counts[m] ?? 0) + 0.5) / (othersTotal + 6),
      );
    }
    // Without other buyers, only a year seen in full can be judged against a plain calendar.
    const activeMonths = own.counts.reduce((n, count) => n + (count > 0 ? 1 : 0), 0);
    if (activeMonths < 10) return null;
    const december = this.options.decemberPriorWeight;
    return Array.from({ length: 12 }, (_, m) => (m === 11 ? december : 1) / (11 + december));
  }

  private judge(check: MonthCheck): Anomaly | null {
    const observed = check.yearState.counts[check.month - 1] ?? 0;
    if (observed < MIN_MONTH_CONTRACTS || check.expected <= 0) return null;
    const z = (observed - check.expected) / Math.sqrt(check.expected * (1 - check.share));
    const ratio = observed / check.expected;
    if (z < this.options.zThreshold || ratio < this.options.minRatio) return null;
    const key = `${check.year}-${String(check.month).padStart(2, '0')}`;
    const yearEnd = check.month === 12;
    const ending = yearEnd ? 'uma corrida de fim de exercício' : 'um pico mensal atípico';
    return makeAnomaly({
      type: this.type,
      score: clamp01(0.3 + (ratio - this.options.minRatio) / 5),
      contractIds: monthSample(check.yearState, check.month),
      explanation:
        `A unidade ${check.state.name} (${check.buyer}) assinou ${observed} contratos em ${monthLabelPt(key)}, ` +
        `${formatNumberPt(ratio, 1)} vezes o esperado (${formatNumberPt(check.expected, 1)}) pelo calendário das demais unidades, ${ending}.`,
      evidence: {
        unidade_gestora: check.buyer,
        pattern: yearEnd ? 'year_end_rush' : 'monthly_spike',
        month: key,
        observed_contracts: observed,
        expected_contracts: round(check.expected, 2),
        ratio: round(ratio, 3),
        z_score: round(z, 3),
        month_value: round(check.yearState.values[check.month - 1] ?? 0, 2),
        year_contracts: check.yearState.total,
        month_share: round(observed / check.yearState.total, 4),
        expected_share: round(check.share, 4),
      },
    });
  }
}

function monthSample(year: YearState, month: number): string[] {
  const start = (month - 1) * SAMPLE_IDS;
  return year.samples.slice(start, start + (year.sampleCounts[month - 1] ?? 0));
}
