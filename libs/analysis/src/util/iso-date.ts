const ISO = /^(\d{4})-(\d{2})-(\d{2})/;
const DAY_MS = 86_400_000;

export interface DateParts {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  readonly day: number;
}

/** Parses the leading `YYYY-MM-DD` of a string; anything else (or an impossible month) is null. */
export function parseIsoDate(value: string | null | undefined): DateParts | null {
  if (!value) return null;
  const match = ISO.exec(value);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  return { year, month, day };
}

/** Days since 1970-01-01 (UTC), for distances between dates without time zones. */
export function epochDay(parts: DateParts): number {
  return Math.floor(Date.UTC(parts.year, parts.month - 1, parts.day) / DAY_MS);
}

export function isoFromEpochDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export const monthKey = (parts: DateParts): string => `${parts.year}-${String(parts.month).padStart(2, '0')}`;

export const MONTH_NAMES_PT = [
  'janeiro',
  'fevereiro',
  'março',
  'abril',
  'maio',
  'junho',
  'julho',
  'agosto',
  'setembro',
  'outubro',
  'novembro',
  'dezembro',
] as const;

/** `2024-12` → `dezembro de 2024`. */
export function monthLabelPt(key: string): string {
  const [year, month] = key.split('-');
  const name = MONTH_NAMES_PT[Number(month) - 1];
  return name ? `${name} de ${year}` : key;
}
