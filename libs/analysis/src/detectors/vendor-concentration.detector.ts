import type { Anomaly } from '../model/anomaly.model.js';
import { formatBrl, formatNumberPt, formatPercentPt } from '../text/number.formatter.js';
import { clamp01, makeAnomaly, round } from './anomaly.factory.js';
import type { ContractFacts, VendorDirectory } from './contract-facts.builder.js';
import type { VendorConcentrationOptions } from './detector-options.js';
import type { Detector } from './detector.port.js';
import { SpaceSaving, type HeavyHitter } from './space-saving.sketch.js';

/** Enough counters that a vendor above 1/16 of a buyer's spend is never lost. */
const TRACKED_VENDORS = 16;

interface BuyerState {
  readonly buyer: string;
  readonly name: string;
  readonly vendors: SpaceSaving;
}

/**
 * Flags buyers whose spend goes mostly to one vendor (share above the threshold), with the
 * Herfindahl-Hirschman index of the buyer's suppliers as supporting evidence.
 */
export class VendorConcentrationDetector implements Detector {
  readonly type = 'vendor_concentration' as const;
  /** Indexed by buyer id. */
  private readonly buyers: BuyerState[] = [];
  private firstVendor: number | null = null;
  private directory: VendorDirectory | null = null;
  private severalVendors = false;

  constructor(private readonly options: VendorConcentrationOptions) {}

  observe(facts: ContractFacts): void {
    if (facts.value <= 0 || !facts.vendor) return;
    this.noteVendor(facts.vendorId);
    let state = this.buyers[facts.buyerId];
    if (!state) {
      state = {
        buyer: facts.buyer,
        name: facts.contract.unidadeGestora.nome,
        vendors: new SpaceSaving(TRACKED_VENDORS),
      };
      this.buyers[facts.buyerId] = state;
    }
    state.vendors.add(facts.vendorId, facts.value, facts.contract.id);
    this.directory ??= facts.vendors;
  }

  finish(out: Anomaly[]): void {
    // A data set with a single vendor (e.g. filtered by CNPJ) is concentrated by construction.
    if (!this.severalVendors) return;
    for (const state of this.buyers) {
      const anomaly = state ? this.judge(state) : null;
      if (anomaly) out.push(anomaly);
    }
  }

  private noteVendor(vendor: number): void {
    if (this.severalVendors) return;
    if (this.firstVendor === null) this.firstVendor = vendor;
    else if (this.firstVendor !== vendor) this.severalVendors = true;
  }

  private judge(state: BuyerState): Anomaly | null {
    const o = this.options;
    const buyer = state.buyer;
    const { total, count } = state.vendors;
    const leaders = state.vendors.top();
    const top = leaders[0];
    if (!top || count < o.minBuyerContracts || total <= 0) return null;
    const share = (top.weight - top.error) / total;
    const enoughContracts = top.count >= Math.max(o.minVendorContracts, o.minVendorCountShare * count);
    if (share <= o.shareThreshold || !enoughContracts) return null;
    const hhi = herfindahl(leaders, total);
    const cnpj = this.directory?.key(top.id) ?? '';
    const name = this.directory?.name(top.id) ?? cnpj;
    return makeAnomaly({
      type: this.type,
      score: clamp01(0.5 * ((share - o.shareThreshold) / (1 - o.shareThreshold)) + 0.5 * hhi),
      contractIds: top.sampleIds,
      explanation:
        `A unidade ${state.name} (${buyer}) destinou ${formatPercentPt(share)} dos seus ${formatBrl(total)} em contratos a um só fornecedor, ` +
        `${name} (${cnpj}), com índice HHI de ${formatNumberPt(hhi * 10_000, 0)}.`,
      evidence: {
        unidade_gestora: buyer,
        vendor_cnpj: cnpj,
        vendor_share: round(share, 4),
        vendor_value: round(top.weight - top.error, 2),
        buyer_total_value: round(total, 2),
        vendor_contracts: top.count,
        buyer_contracts: count,
        hhi: round(hhi * 10_000, 1),
      },
    });
  }
}

/** HHI on the 0..1 scale from the tracked vendors; untracked ones each hold under 1/16, so they barely count. */
function herfindahl(leaders: readonly HeavyHitter[], total: number): number {
  let sum = 0;
  for (const leader of leaders) {
    const share = Math.max(0, leader.weight - leader.error) / total;
    sum += share * share;
  }
  return Math.min(1, sum);
}
