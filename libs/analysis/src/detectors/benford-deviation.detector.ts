import type { Anomaly } from '../model/anomaly.model.js';
import { formatNumberPt, formatPercentPt } from '../text/number.formatter.js';
import { clamp01, makeAnomaly, round } from './anomaly.factory.js';
import type { ContractFacts } from './contract-facts.builder.js';
import type { BenfordOptions } from './detector-options.js';
import type { Detector } from './detector.port.js';

/** P(first digit = d) = log10(1 + 1/d). */
export const BENFORD = Array.from({ length: 9 }, (_, i) => Math.log10(1 + 1 / (i + 1)));
const SAMPLE_IDS = 5;
/** Values under R$ 10 say more about fees and rounding than about fabrication. */
const MIN_VALUE = 10;

interface BuyerDigits {
  readonly buyer: string;
  readonly name: string;
  readonly counts: Uint32Array;
  readonly sampleIds: string[];
  total: number;
}

const POWERS = Array.from({ length: 16 }, (_, e) => 10 ** e);

/** First significant digit of a value >= 1, by comparisons instead of a logarithm (this runs per contract). */
export function firstDigit(value: number): number {
  let e = 0;
  while (e < POWERS.length - 1 && value >= (POWERS[e + 1] ?? Infinity)) e++;
  return Math.min(9, Math.max(1, Math.floor(value / (POWERS[e] ?? 1))));
}

/** MAD a conforming sample of size n shows by chance alone: E|p̂ - p| = sqrt(2/π) sqrt(p(1-p)/n), averaged. */
export function expectedNoiseMad(n: number): number {
  const sum = BENFORD.reduce((acc, p) => acc + Math.sqrt((p * (1 - p)) / n), 0);
  return (Math.sqrt(2 / Math.PI) * sum) / 9;
}

/**
 * Benford's law on each buyer's contract values: the mean absolute deviation of the
 * first-digit frequencies (Nigrini). The bound grows for small samples, where chance alone
 * produces a large MAD.
 */
export class BenfordDeviationDetector implements Detector {
  readonly type = 'benford_deviation' as const;
  /** Indexed by buyer id. */
  private readonly buyers: BuyerDigits[] = [];

  constructor(private readonly options: BenfordOptions) {}

  observe(facts: ContractFacts): void {
    if (facts.initial < MIN_VALUE) return;
    let state = this.buyers[facts.buyerId];
    if (!state) {
      state = {
        buyer: facts.buyer,
        name: facts.contract.unidadeGestora.nome,
        counts: new Uint32Array(9),
        sampleIds: [],
        total: 0,
      };
      this.buyers[facts.buyerId] = state;
    }
    const d = firstDigit(facts.initial) - 1;
    state.counts[d] = (state.counts[d] ?? 0) + 1;
    state.total++;
    if (state.sampleIds.length < SAMPLE_IDS) state.sampleIds.push(facts.contract.id);
  }

  finish(out: Anomaly[]): void {
    for (const state of this.buyers) {
      if (!state || state.total < this.options.minSample) continue;
      const anomaly = this.judge(state.buyer, state);
      if (anomaly) out.push(anomaly);
    }
  }

  private judge(buyer: string, state: BuyerDigits): Anomaly | null {
    const observed = Array.from(state.counts, (count) => count / state.total);
    const mad = observed.reduce((acc, p, i) => acc + Math.abs(p - (BENFORD[i] ?? 0)), 0) / 9;
    const bound = Math.max(this.options.madThreshold, this.options.noiseFactor * expectedNoiseMad(state.total));
    if (mad <= bound) return null;
    const evidence: Record<string, number | string> = {
      unidade_gestora: buyer,
      mad: round(mad, 5),
      mad_bound: round(bound, 5),
      sample: state.total,
    };
    observed.forEach((p, i) => (evidence[`digit_${i + 1}_pct`] = round(p * 100, 2)));
    return makeAnomaly({
      type: this.type,
      score: clamp01(0.3 + (mad - bound) / 0.05),
      contractIds: state.sampleIds,
      explanation:
        `Os primeiros dígitos dos ${state.total} valores da unidade ${state.name} (${buyer}) fogem da lei de Benford ` +
        `(MAD ${formatNumberPt(mad, 4)}, limite ${formatNumberPt(bound, 4)}; dígito 1 em ${formatPercentPt(observed[0] ?? 0)} contra ${formatPercentPt(BENFORD[0] ?? 0)} esperados).`,
      evidence,
    });
  }
}
