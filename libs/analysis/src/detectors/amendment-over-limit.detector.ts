import type { Anomaly } from '../model/anomaly.model.js';
import { formatBrl, formatPercentPt } from '../text/number.formatter.js';
import { clamp01, makeAnomaly, round } from './anomaly.factory.js';
import type { ContractFacts } from './contract-facts.builder.js';
import type { AmendmentOptions } from './detector-options.js';
import type { Detector } from './detector.port.js';

/** Tolerance for cents lost when values are rounded on publication. */
const CENTS = 0.01;

/**
 * Lei 14.133/2021 art. 125: amendments may add at most 25% of the initial value, 50% for
 * the reform of a building or equipment. A final value beyond that is flagged at once.
 */
export class AmendmentOverLimitDetector implements Detector {
  readonly type = 'amendment_over_limit' as const;

  constructor(private readonly options: AmendmentOptions) {}

  observe(facts: ContractFacts, out: Anomaly[]): void {
    const initial = facts.initial;
    const final = facts.contract.valorFinalCompra;
    if (initial <= 0 || !Number.isFinite(final)) return;
    const isReforma = facts.object.category?.amendmentLimit === 0.5;
    const limit = isReforma ? this.options.reformaLimit : this.options.limit;
    if (final <= initial * (1 + limit) + CENTS) return;
    const increase = final / initial - 1;
    out.push(
      makeAnomaly({
        type: this.type,
        score: clamp01(0.3 + (increase - limit) * 1.1),
        contractIds: [facts.contract.id],
        explanation:
          `O contrato ${facts.contract.numero} passou de ${formatBrl(initial)} para ${formatBrl(final)}, ` +
          `um acréscimo de ${formatPercentPt(increase)} acima do limite de ${formatPercentPt(limit, 0)} do art. 125 da Lei 14.133/2021.`,
        evidence: {
          initial_value: round(initial, 2),
          final_value: round(final, 2),
          increase_pct: round(increase * 100, 2),
          legal_limit_pct: round(limit * 100, 2),
        },
      }),
    );
  }

  finish(): void {
    // Every case is decided when its contract arrives.
  }
}
