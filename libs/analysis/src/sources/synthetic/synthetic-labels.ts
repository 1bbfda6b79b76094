import type { AnomalyType } from '../../model/anomaly.model.js';
import type { Contract } from '../../model/contract.model.js';
import { classifyObject } from '../../text/object-category.classifier.js';
import { normalizeText } from '../../text/text.normalizer.js';
import { parseIsoDate } from '../../util/iso-date.js';
import type { SyntheticContractFactory } from './synthetic-contract.factory.js';
import { CHUNK, ROLE } from './synthetic-layout.js';
import type { BuyerRole, SyntheticWorld } from './synthetic-world.js';

/** One planted anomaly: a contract, a group of contracts, or a buyer (`unidadeGestora`). */
export interface PlantedAnomaly {
  readonly type: AnomalyType;
  readonly key: string;
  readonly contractIds: string[];
  readonly unidadeGestora?: string;
}

export interface SyntheticLabels {
  readonly planted: PlantedAnomaly[];
  readonly byContract: Map<string, AnomalyType[]>;
}

const BUYER_TYPES: Readonly<Record<Exclude<BuyerRole['kind'], 'normal'>, AnomalyType>> = {
  captured: 'vendor_concentration',
  benford: 'benford_deviation',
  year_end_rush: 'temporal_pattern',
  monthly_spike: 'temporal_pattern',
};

/** Whether a contract is one of the planted buyer anomaly's own contracts. */
function carriesBuyerAnomaly(role: BuyerRole, contract: Contract, capturedCnpj: string | null): boolean {
  switch (role.kind) {
    case 'normal':
      return false;
    case 'captured':
      return contract.fornecedor.cnpjFormatado === capturedCnpj;
    case 'benford':
      return true;
    case 'year_end_rush':
      return parseIsoDate(contract.dataAssinatura)?.month === 12;
    case 'monthly_spike':
      return parseIsoDate(contract.dataAssinatura)?.month === role.month;
    default: {
      const unknown: never = role;
      throw new Error(`unknown buyer role ${JSON.stringify(unknown)}`);
    }
  }
}

/** Ground truth of a synthetic world, by walking every index once (for benchmarks and tests, O(n)). */
export function labelWorld(world: SyntheticWorld, factory: SyntheticContractFactory, total: number): SyntheticLabels {
  const groups = new Map<string, PlantedAnomaly>();
  const buyersByCode = new Map(world.buyers.map((buyer) => [buyer.unit.codigo, buyer]));
  const add = (type: AnomalyType, key: string, id: string, unidadeGestora?: string): void => {
    let group = groups.get(key);
    if (!group) {
      group = { type, key, contractIds: [], ...(unidadeGestora ? { unidadeGestora } : {}) };
      groups.set(key, group);
    }
    group.contractIds.push(id);
  };
  for (let i = 0; i < total; i++) {
    const contract = factory.contractAt(i);
    const { layout, offset, role } = factory.locate(i);
    if (role === ROLE.price) add('price_deviation', `price:${i}`, contract.id);
    if (role === ROLE.amendment) add('amendment_over_limit', `amendment:${i}`, contract.id);
    if (role === ROLE.original) add('duplicate_contract', `dup:${i}`, contract.id);
    if (role === ROLE.copy)
      add('duplicate_contract', `dup:${layout.chunk * CHUNK + (layout.link[offset] ?? 0)}`, contract.id);
    if (role === ROLE.split) add('split_purchase', splitKey(contract), contract.id);
    const buyer = buyersByCode.get(contract.unidadeGestora.codigo);
    if (!buyer || buyer.role.kind === 'normal') continue;
    const captured = buyer.role.kind === 'captured' ? world.vendor(buyer.role.vendor).cnpjFormatado : null;
    const key = `${buyer.role.kind}:${buyer.unit.codigo}`;
    if (!groups.has(key))
      groups.set(key, { type: BUYER_TYPES[buyer.role.kind], key, contractIds: [], unidadeGestora: buyer.unit.codigo });
    if (role !== ROLE.split && carriesBuyerAnomaly(buyer.role, contract, captured))
      add(BUYER_TYPES[buyer.role.kind], key, contract.id);
  }
  const planted = [...groups.values()].filter(
    (g) => g.unidadeGestora !== undefined || minimumMembers(g) <= g.contractIds.length,
  );
  return { planted, byContract: indexByContract(planted) };
}

/**
 * The law sums a unit's dispensas per year and object category, so two planted splits of the
 * same unit, year and category are one split purchase.
 */
function splitKey(contract: Contract): string {
  const category = classifyObject(normalizeText(contract.objeto))?.key ?? 'outros';
  return `split:${contract.unidadeGestora.codigo}:${contract.dataAssinatura?.slice(0, 4)}:${category}`;
}

/** A truncated group at the end of the data set is only an anomaly if enough of it exists. */
const minimumMembers = (group: PlantedAnomaly): number =>
  group.type === 'split_purchase' || group.type === 'duplicate_contract' ? 2 : 1;

function indexByContract(planted: readonly PlantedAnomaly[]): Map<string, AnomalyType[]> {
  const byContract = new Map<string, AnomalyType[]>();
  for (const anomaly of planted) {
    for (const id of anomaly.contractIds) {
      const types = byContract.get(id) ?? [];
      if (!types.includes(anomaly.type)) types.push(anomaly.type);
      byContract.set(id, types);
    }
  }
  return byContract;
}
