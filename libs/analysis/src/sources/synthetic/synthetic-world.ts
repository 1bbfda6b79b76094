import { OBJECT_CATEGORIES, type ObjectCategory } from '../../catalog/object-categories.catalog.js';
import type { Fornecedor, UnidadeGestora } from '../../model/contract.model.js';
import { epochDay, isoFromEpochDay } from '../../util/iso-date.js';
import { hashString } from '../../util/stable-hash.js';
import { CounterRandom, cumulativeOf, pickWeighted } from './counter-random.prng.js';
import { syntheticUnit, syntheticVendor } from './synthetic-names.js';
import { S } from './synthetic-streams.js';

export type BuyerRole =
  | { readonly kind: 'normal' }
  | { readonly kind: 'captured'; readonly vendor: number }
  | { readonly kind: 'benford' }
  | { readonly kind: 'year_end_rush' }
  | { readonly kind: 'monthly_spike'; readonly month: number };

export interface SyntheticBuyer {
  readonly index: number;
  readonly unit: UnidadeGestora;
  readonly role: BuyerRole;
  readonly expectedSize: number;
}

export interface SyntheticConfig {
  readonly seed: string;
  readonly totalContracts: number;
  readonly year: number;
  readonly anomalyRate: number;
}

/** How often each category is bought, relative (consumables are bought far more often than works). */
const CATEGORY_WEIGHTS: Readonly<Record<string, number>> = {
  material_expediente: 10,
  medicamentos: 10,
  material_hospitalar: 8,
  ti_equipamentos: 6,
  mobiliario: 6,
  alimentacao: 6,
  ti_software: 5,
  combustiveis: 5,
  manutencao_veiculos: 5,
  manutencao_predial: 5,
  eventos: 5,
  limpeza: 4,
  consultoria: 4,
  viagens: 4,
  equipamentos_medicos: 4,
  reforma: 4,
  obras: 3,
  vigilancia: 3,
};
/** Signatures per month of a federal year: slow January, the December rush of the end of the fiscal year. */
const MONTH_WEIGHTS = [0.055, 0.07, 0.08, 0.08, 0.08, 0.08, 0.08, 0.085, 0.085, 0.09, 0.095, 0.14];
/** A buyer must expect this many contracts before a buyer-level anomaly is planted in it: fewer cannot be told from chance. */
const MIN_PLANTED_BUYER_SIZE = 150;
const VENDOR_ZIPF_EXPONENT = 1;

export class SyntheticWorld {
  readonly rng: CounterRandom;
  readonly buyers: readonly SyntheticBuyer[];
  readonly categories: readonly ObjectCategory[] = OBJECT_CATEGORIES;
  readonly monthCumulative = cumulativeOf(MONTH_WEIGHTS);
  readonly vendorsPerCategory: number;
  readonly firstDay: number;
  readonly tag: string;
  private readonly buyerCumulative: Float64Array;
  private readonly categoryCumulative = cumulativeOf(OBJECT_CATEGORIES.map((c) => CATEGORY_WEIGHTS[c.key] ?? 3));
  private readonly vendorCumulative: Float64Array;
  /** Built on first use, indexed by vendor index (pools, then one captured vendor per buyer). */
  private readonly vendors: Fornecedor[] = [];
  private readonly objetos: readonly (readonly string[])[];
  private readonly isoDays: readonly string[];
  private readonly rootOffset: number;

  constructor(readonly config: SyntheticConfig) {
    this.rng = new CounterRandom(config.seed);
    this.tag = hashString(config.seed).toString(36).padStart(7, '0').slice(0, 6);
    this.rootOffset = hashString(config.seed, 7) % 100_000_000;
    this.vendorsPerCategory = Math.max(8, Math.round(config.totalContracts / 60 / OBJECT_CATEGORIES.length));
    const buyerCount = Math.min(9_999, Math.max(8, Math.round(config.totalContracts / 400)));
    const weights = Array.from({ length: buyerCount }, (_, b) => (b + 10) ** -0.8);
    this.buyerCumulative = cumulativeOf(weights);
    const totalWeight = this.buyerCumulative[buyerCount - 1] ?? 1;
    this.buyers = weights.map((w, b) => this.makeBuyer(b, (config.totalContracts * w) / totalWeight));
    this.vendorCumulative = cumulativeOf(
      Array.from({ length: this.vendorsPerCategory }, (_, r) => (r + 1) ** -VENDOR_ZIPF_EXPONENT),
    );
    this.objetos = OBJECT_CATEGORIES.map((c) => objetoTable(c, config.year));
    this.firstDay = epochDay({ year: config.year, month: 1, day: 1 });
    this.isoDays = Array.from({ length: 366 * 4 }, (_, d) => isoFromEpochDay(this.firstDay + d));
  }

  get suffixCount(): number {
    return SUFFIX_COUNT;
  }

  buyer(index: number, stream: number): SyntheticBuyer {
    return at(this.buyers, pickWeighted(this.buyerCumulative, this.rng.uniform(index, stream)));
  }

  categoryAt(index: number): ObjectCategory {
    return at(this.categories, index);
  }

  category(index: number, stream: number): number {
    return pickWeighted(this.categoryCumulative, this.rng.uniform(index, stream));
  }

  /** Zipf within each category's pool: a few vendors win most of its contracts. */
  vendorIndex(category: number, index: number, stream: number): number {
    return category * this.vendorsPerCategory + pickWeighted(this.vendorCumulative, this.rng.uniform(index, stream));
  }

  /** Vendors that win everything at one captured buyer live after the category pools. */
  capturedVendorIndex(buyerIndex: number): number {
    return this.categories.length * this.vendorsPerCategory + buyerIndex;
  }

  vendor(vendorIndex: number): Fornecedor {
    let vendor = this.vendors[vendorIndex];
    if (!vendor) {
      vendor = syntheticVendor(this.rng, vendorIndex, this.rootOffset);
      this.vendors[vendorIndex] = vendor;
    }
    return vendor;
  }

  objeto(category: number, item: number, suffix: number, lot: number): string {
    const table = this.objetos[category] ?? [];
    return table[((item * SUFFIX_COUNT + suffix) * LOTS + lot) % table.length] ?? '';
  }

  itemCount(category: number): number {
    return this.categories[category]?.items.length ?? 1;
  }

  /** ISO date `dayOffset` days after 1 January of the configured year (clamped to the table). */
  iso(dayOffset: number): string {
    const clamped = Math.min(this.isoDays.length - 1, Math.max(0, dayOffset));
    return this.isoDays[clamped] ?? '';
  }

  private makeBuyer(index: number, expectedSize: number): SyntheticBuyer {
    const unit = syntheticUnit(this.rng, index);
    return {
      index,
      unit,
      expectedSize,
      role: expectedSize >= MIN_PLANTED_BUYER_SIZE ? this.roleOf(index) : { kind: 'normal' },
    };
  }

  private roleOf(index: number): BuyerRole {
    const p = Math.min(0.06, this.config.anomalyRate * 2);
    const u = this.rng.uniform(index, S.buyerRole);
    if (u < p) return { kind: 'captured', vendor: this.capturedVendorIndex(index) };
    if (u < 2 * p) return { kind: 'benford' };
    if (u < 3 * p) return { kind: 'year_end_rush' };
    if (u < 4 * p) return { kind: 'monthly_spike', month: 2 + this.rng.int(index, S.buyerRoleMonth, 9) };
    return { kind: 'normal' };
  }
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`no item ${index} among ${items.length}`);
  return item;
}

const SUFFIXES = (year: number): string[] => [
  '',
  ' para atender às demandas da unidade',
  ' conforme termo de referência',
  ' em regime de registro de preços',
  ` para o exercício de ${year}`,
  ' com entrega parcelada',
];
const SUFFIX_COUNT = 6;
/** Lot numbers make the same item bought twice read differently, as real objetos do. */
export const LOTS = 40;

/** Every objeto text of a category, built once: item × purpose × lot. */
function objetoTable(category: ObjectCategory, year: number): string[] {
  const lots = Array.from({ length: LOTS }, (_, lot) => ` - lote ${10 + lot}`);
  return category.items.flatMap((item) =>
    SUFFIXES(year).flatMap((suffix) => lots.map((lot) => `${category.prefix} ${item}${suffix}${lot}`)),
  );
}
