import type { DispensaInciso } from './object-categories.catalog.js';

export type DispensaLimits = Readonly<Record<DispensaInciso, number>>;

/**
 * Lei 14.133/2021 art. 75, incisos I and II, as updated every January by decree
 * (art. 182): the same values an auditor would check for the year of the purchase.
 */
export const DISPENSA_LIMITS_BY_YEAR: Readonly<Record<number, DispensaLimits>> = {
  2021: { I: 100_000, II: 50_000 },
  2022: { I: 108_040.82, II: 54_020.41 }, // Decreto 10.922/2021
  2023: { I: 114_416.65, II: 57_208.33 }, // Decreto 11.317/2022
  2024: { I: 119_812.02, II: 59_906.02 }, // Decreto 11.871/2023
  2025: { I: 125_451.15, II: 62_725.59 }, // Decreto 12.343/2024
};

const FALLBACK: DispensaLimits = { I: 100_000, II: 50_000 };
const YEAR_RANGES = new WeakMap<object, { first: number; last: number }>();

function rangeOf(table: Readonly<Record<number, DispensaLimits>>): { first: number; last: number } {
  let range = YEAR_RANGES.get(table);
  if (!range) {
    const years = Object.keys(table).map(Number);
    range = { first: Math.min(...years), last: Math.max(...years) };
    YEAR_RANGES.set(table, range);
  }
  return range;
}

/** The limits of a year; before the table its first row, after it its last. */
export function dispensaLimitsFor(
  year: number,
  table: Readonly<Record<number, DispensaLimits>> = DISPENSA_LIMITS_BY_YEAR,
): DispensaLimits {
  const exact = table[year];
  if (exact) return exact;
  const { first, last } = rangeOf(table);
  return table[year < first ? first : last] ?? FALLBACK;
}
