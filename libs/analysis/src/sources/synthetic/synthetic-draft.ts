import { dispensaLimitsFor } from '../../catalog/dispensa-limits.catalog.js';
import type { ObjectCategory } from '../../catalog/object-categories.catalog.js';
import { pickWeighted } from './counter-random.prng.js';
import { CHUNK, ROLE, type ChunkLayout, type Role } from './synthetic-layout.js';
import { S } from './synthetic-streams.js';
import { LOTS, type BuyerRole, type SyntheticBuyer, type SyntheticWorld } from './synthetic-world.js';

/** A contract before it is dressed as a Portal record: indices and numbers only. */
export interface Draft {
  readonly buyer: SyntheticBuyer;
  readonly vendorIndex: number;
  readonly category: number;
  readonly item: number;
  readonly suffix: number;
  readonly lot: number;
  /** Days after 1 January; null when the record has no dates. */
  readonly day: number | null;
  readonly startDelay: number;
  readonly duration: number;
  readonly initial: number;
  readonly final: number;
  readonly modalidade: string;
}

const MONTH_START = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
const MISSING_DATES = 0.003;
const DISPENSA = 'Dispensa de Licitação';

const cents = (value: number): number => Math.round(value * 100) / 100;

export function plainDraft(world: SyntheticWorld, i: number, role: Role): Draft {
  const rng = world.rng;
  const buyer = world.buyer(i, S.buyer);
  const category = world.category(i, S.category);
  const cat = world.categoryAt(category);
  const captured = buyer.role.kind === 'captured' && rng.uniform(i, S.roleEffect) < 0.92;
  const logMedian = Math.log(cat.medianValue);
  const sale = modality(world, i, cat, cents(Math.exp(logMedian + cat.sigma * rng.normal(i, S.value))));
  // Invented figures are the competitive purchases; dispensas keep their real values.
  let initial =
    buyer.role.kind === 'benford' && sale.modalidade !== DISPENSA ? fabricated(world, i, sale.value) : sale.value;
  if (role === ROLE.price) initial = cents(Math.exp(logMedian + cat.sigma * rng.between(i, S.priceZ, 4.6, 6.5)));
  const keepDates = role === ROLE.original || rng.uniform(i, S.missingDate) >= MISSING_DATES;
  return {
    buyer,
    vendorIndex:
      captured && buyer.role.kind === 'captured' ? buyer.role.vendor : world.vendorIndex(category, i, S.vendor),
    category,
    item: rng.int(i, S.item, world.itemCount(category)),
    suffix: rng.int(i, S.suffix, world.suffixCount),
    lot: rng.int(i, S.lot, LOTS),
    day: keepDates ? dayOfYear(world, i, buyer.role) : null,
    startDelay: rng.int(i, S.startDelay, 16),
    duration: 90 + rng.int(i, S.duration, 640),
    initial,
    final:
      role === ROLE.amendment
        ? cents(initial * (1 + cat.amendmentLimit + rng.between(i, S.amendmentExtra, 0.08, 0.8)))
        : naturalFinal(world, i, cat, initial),
    modalidade: sale.modalidade,
  };
}

/** The chunk's split purchase: dispensas of one unit, distinct items of one category, each 55-95% of the cap. */
export function splitDraft(world: SyntheticWorld, i: number, layout: ChunkLayout): Draft {
  const rng = world.rng;
  const k = layout.chunk;
  const position = (i % CHUNK) - layout.splitStart;
  const category = world.category(k, S.splitCategory);
  const cat = world.categoryAt(category);
  const limit = dispensaLimitsFor(world.config.year)[cat.inciso];
  const items = world.itemCount(category);
  const sameVendor = rng.uniform(k, S.splitSameVendor) < 0.6;
  const initial = cents(limit * rng.between(i, S.splitValue, 0.55, 0.95));
  return {
    buyer: world.buyer(k, S.splitBuyer),
    vendorIndex: world.vendorIndex(category, sameVendor ? k : i, S.splitVendor),
    category,
    item: (rng.int(k, S.splitItems, items) + position) % items,
    suffix: 0,
    lot: rng.int(i, S.lot, LOTS),
    day: Math.min(364, 5 + rng.int(k, S.splitDay, 250) + position * (3 + rng.int(i, S.splitGap, 20))),
    startDelay: rng.int(i, S.startDelay, 16),
    duration: 90 + rng.int(i, S.duration, 275),
    initial,
    final: initial,
    modalidade: DISPENSA,
  };
}

function dayOfYear(world: SyntheticWorld, i: number, role: BuyerRole): number {
  const rng = world.rng;
  let month = pickWeighted(world.monthCumulative, rng.uniform(i, S.month));
  const effect = rng.uniform(i, S.roleEffect);
  if (role.kind === 'year_end_rush' && effect < 0.5) month = 11;
  if (role.kind === 'monthly_spike' && effect < 0.4) month = role.month - 1;
  const start = MONTH_START[month] ?? 0;
  const length = (MONTH_START[month + 1] ?? 365) - start;
  return start + rng.int(i, S.day, length);
}

/**
 * Most purchases go through pregão; 1% are small dispensas (well under the cap, so a unit's
 * sum per year stays legal), 8% emergency dispensas above the cap, which the split rule does not cover.
 */
interface Sale {
  readonly modalidade: string;
  readonly value: number;
}

function modality(world: SyntheticWorld, i: number, cat: ObjectCategory, value: number): Sale {
  const u = world.rng.uniform(i, S.modality);
  const limit = dispensaLimitsFor(world.config.year)[cat.inciso];
  if (u < 0.01)
    return { modalidade: DISPENSA, value: cents(limit * Math.exp(-Math.log(60) + Math.log(10) * (u / 0.01))) };
  if (u < 0.09) return { modalidade: DISPENSA, value: Math.max(value, cents(limit * 1.05)) };
  if (u < 0.14) return { modalidade: 'Inexigibilidade de Licitação', value };
  if (u < 0.24 || cat.inciso === 'I') return { modalidade: u < 0.6 ? 'Concorrência' : 'Pregão Eletrônico', value };
  return { modalidade: u < 0.7 ? 'Pregão Eletrônico' : 'Pregão - Registro de Preço', value };
}

/** Made-up values: the first digit drawn uniformly, the magnitude kept, as people inventing numbers do. */
function fabricated(world: SyntheticWorld, i: number, value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const digit = 1 + world.rng.int(i, S.benfordDigit, 9);
  return cents((digit + world.rng.uniform(i, S.benfordFraction)) * magnitude);
}

function naturalFinal(world: SyntheticWorld, i: number, cat: ObjectCategory, initial: number): number {
  const u = world.rng.uniform(i, S.finalKind);
  if (u < 0.7) return initial;
  if (u < 0.93) return cents(initial * (1 + cat.amendmentLimit * 0.9 * world.rng.uniform(i, S.finalValue)));
  return cents(initial * world.rng.between(i, S.finalValue, 0.75, 1));
}
