import { dispensaLimitsFor } from '../catalog/dispensa-limits.catalog.js';
import type { Anomaly } from '../model/anomaly.model.js';
import { formatBrl } from '../text/number.formatter.js';
import { clamp01, makeAnomaly, round } from './anomaly.factory.js';
import type { ContractFacts } from './contract-facts.builder.js';
import type { SplitPurchaseOptions } from './detector-options.js';
import type { Detector } from './detector.port.js';

const MAX_IDS = 50;

interface GroupState {
  readonly ids: string[];
  readonly numeros: string[];
  count: number;
  sum: number;
  reported: boolean;
}

/**
 * Lei 14.133/2021 art. 75 §1: the value caps of a dispensa apply to the sum spent in the
 * fiscal year by the same unit on objects of the same nature. Several dispensas, each under
 * the cap, adding up above it within a year are a split purchase; reported once per
 * unit, year and object category, when the sum crosses the cap.
 */
export class SplitPurchaseDetector implements Detector {
  readonly type = 'split_purchase' as const;
  private readonly groups = new Map<string, GroupState>();

  constructor(private readonly options: SplitPurchaseOptions) {}

  observe(facts: ContractFacts, out: Anomaly[]): void {
    if (!facts.isDispensa || !facts.date || facts.initial <= 0) return;
    const inciso = facts.object.category?.inciso ?? 'II';
    const limit = dispensaLimitsFor(facts.date.year, this.options.limitsByYear)[inciso];
    if (facts.initial >= limit) return;
    const key = `${facts.buyer}|${facts.date.year}|${facts.object.categoryKey}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { ids: [], numeros: [], count: 0, sum: 0, reported: false };
      this.groups.set(key, group);
    }
    group.count++;
    group.sum += facts.initial;
    if (group.ids.length < MAX_IDS) {
      group.ids.push(facts.contract.id);
      group.numeros.push(facts.contract.numero);
    }
    if (group.reported || group.count < this.options.minContracts || group.sum <= limit) return;
    group.reported = true;
    out.push(this.anomaly(facts, group, limit, inciso));
  }

  finish(): void {
    // Reported when the sum crosses the cap.
  }

  private anomaly(facts: ContractFacts, group: GroupState, limit: number, inciso: string): Anomaly {
    const ratio = group.sum / limit;
    const label = facts.object.category?.label ?? facts.object.categoryKey;
    const year = facts.date?.year ?? 0;
    return makeAnomaly({
      type: this.type,
      score: clamp01(0.3 + (ratio - 1) * 0.5 + (group.count - 2) * 0.05),
      contractIds: [facts.contract.id, ...group.ids],
      explanation:
        `A unidade ${facts.contract.unidadeGestora.nome} (${facts.buyer}) fez ${group.count} dispensas de ${label} em ${year}, ` +
        `cada uma abaixo de ${formatBrl(limit)}, que somam ${formatBrl(group.sum)} e ultrapassam o limite do art. 75, ${inciso}, da Lei 14.133/2021.`,
      evidence: {
        unidade_gestora: facts.buyer,
        year,
        category: label,
        dispensas: group.count,
        total_value: round(group.sum, 2),
        legal_limit: round(limit, 2),
        ratio_to_limit: round(ratio, 3),
        contracts: group.numeros.join(', '),
      },
    });
  }
}
