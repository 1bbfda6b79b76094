import type { Anomaly } from '../model/anomaly.model.js';
import { formatBrl, formatNumberPt } from '../text/number.formatter.js';
import { clamp01, makeAnomaly, round } from './anomaly.factory.js';
import type { ContractFacts } from './contract-facts.builder.js';
import type { PriceDeviationOptions } from './detector-options.js';
import type { Detector } from './detector.port.js';
import { LogHistogram, type RobustStats } from './log-histogram.sketch.js';

/** Normal consistency constant: MAD × 1.4826 estimates σ for normal data. */
const MAD_TO_SIGMA = 1.4826;
/** Floor on the spread (in ln units, ~5%): when most prices are identical the MAD is 0. */
const MIN_SCALE = 0.05;

interface Priced {
  readonly id: string;
  readonly numero: string;
  readonly value: number;
  readonly label: string;
}

interface CategoryState {
  /** Created when the category reaches its minimum sample: most small categories never need one. */
  histogram: LogHistogram | null;
  count: number;
  /** Contracts seen before the category reached its minimum sample: judged at the end. */
  pending: Priced[];
  stats: RobustStats | null;
}

/** Cap on contracts waiting for their category to grow, so a stream of one-off categories stays bounded. */
const MAX_PENDING = 100_000;

/**
 * Flags contracts priced far above their object category: robust z-score of the log value
 * against the category's median and MAD. Log scale because contract values are log-normal;
 * only overpricing is flagged, underpricing is not a loss to the treasury.
 */
export class PriceDeviationDetector implements Detector {
  readonly type = 'price_deviation' as const;
  private readonly categories = new Map<string, CategoryState>();
  private pendingTotal = 0;

  constructor(private readonly options: PriceDeviationOptions) {}

  observe(facts: ContractFacts, out: Anomaly[]): void {
    if (facts.initial <= 0) return;
    const state = this.category(facts.object.categoryKey);
    const logValue = Math.log(facts.initial);
    state.count++;
    if (!state.histogram) {
      if (state.count < this.options.minSample) {
        if (this.pendingTotal < MAX_PENDING) {
          state.pending.push(pricedOf(facts));
          this.pendingTotal++;
        }
        return;
      }
      state.histogram = new LogHistogram();
      for (const priced of state.pending) state.histogram.add(Math.log(priced.value));
    }
    state.histogram.add(logValue);
    const stats = this.freshStats(state, state.histogram);
    // Most contracts are ordinary: test before allocating anything for them.
    if (robustZ(logValue, stats) >= this.options.zThreshold) {
      const anomaly = this.judge(pricedOf(facts), stats);
      if (anomaly) out.push(anomaly);
    }
  }

  finish(out: Anomaly[]): void {
    for (const state of this.categories.values()) {
      if (state.histogram) {
        const stats = state.histogram.stats();
        for (const priced of state.pending) {
          const anomaly = this.judge(priced, stats);
          if (anomaly) out.push(anomaly);
        }
      }
      state.pending = [];
    }
  }

  private category(key: string): CategoryState {
    let state = this.categories.get(key);
    if (!state) {
      state = { histogram: null, count: 0, pending: [], stats: null };
      this.categories.set(key, state);
    }
    return state;
  }

  /** Recomputed every ~3% of growth: amortised O(1) per contract, and a pure function of the count. */
  private freshStats(state: CategoryState, histogram: LogHistogram): RobustStats {
    const count = histogram.count;
    if (!state.stats || count - state.stats.count >= Math.max(1, Math.floor(state.stats.count * 0.03)))
      state.stats = histogram.stats();
    return state.stats;
  }

  private judge(priced: Priced, stats: RobustStats): Anomaly | null {
    const z = robustZ(Math.log(priced.value), stats);
    if (z < this.options.zThreshold) return null;
    const median = Math.exp(stats.median);
    const ratio = priced.value / median;
    return makeAnomaly({
      type: this.type,
      score: clamp01((z - 3) / 6),
      contractIds: [priced.id],
      explanation:
        `O contrato ${priced.numero} (${formatBrl(priced.value)}) custa ${formatNumberPt(ratio, 1)} vezes a mediana ` +
        `de ${priced.label} (${formatBrl(median)}), um desvio robusto de ${formatNumberPt(z, 1)} muito acima do padrão da categoria.`,
      evidence: {
        value: round(priced.value, 2),
        category: priced.label,
        category_median: round(median, 2),
        ratio_to_median: round(ratio, 3),
        robust_z: round(z, 3),
        category_sample: stats.count,
      },
    });
  }
}

function robustZ(logValue: number, stats: RobustStats): number {
  return (logValue - stats.median) / Math.max(MIN_SCALE, stats.mad * MAD_TO_SIGMA);
}

function pricedOf(facts: ContractFacts): Priced {
  return {
    id: facts.contract.id,
    numero: facts.contract.numero,
    value: facts.initial,
    label: facts.object.category?.label ?? facts.object.categoryKey,
  };
}
