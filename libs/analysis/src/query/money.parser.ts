import type { TextConsumer } from './text-consumer.js';

const NUMBER = String.raw`\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?`;
const UNIT = 'bilhoes|bilhao|bi|milhoes|milhao|mi|mm|mil|k';
const AMOUNT = String.raw`(r\$\s*)?(${NUMBER})(?:\s*(${UNIT})\b)?(\s*(?:de\s+)?reais\b)?`;
const MIN_WORDS = String.raw`acima de|superior(?:es)? a|maior(?:es)? (?:que|do que)|mais de|a partir de|pelo menos|no minimo|minimo de|>=|>`;
const MAX_WORDS = String.raw`abaixo de|inferior(?:es)? a|menor(?:es)? (?:que|do que)|menos de|ate|no maximo|maximo de|<=|<`;

const RANGE = new RegExp(String.raw`\b(?:entre|de)\s+${AMOUNT}\s+(?:e|a|ate)\s+${AMOUNT}`, 'g');
const MIN = new RegExp(String.raw`(?<![a-z])(?:${MIN_WORDS})\s*${AMOUNT}`, 'g');
const MAX = new RegExp(String.raw`(?<![a-z])(?:${MAX_WORDS})\s*${AMOUNT}`, 'g');
/** A bare number after "mais de" is a value only if it is large: "mais de 10 contratos" is a count. */
const MIN_BARE_VALUE = 1_000;

export interface ValueRange {
  min?: number;
  max?: number;
}

interface Amount {
  readonly value: number;
  readonly isMoney: boolean;
  readonly hasUnit: boolean;
}

/** `1,5` / `1.5` / `2.000.000,00` / `300.000` in Brazilian or plain notation. */
export function parseNumberPt(text: string): number {
  if (text.includes(',')) return Number(text.replace(/\./g, '').replace(',', '.'));
  if (/^\d{1,3}(\.\d{3})+$/.test(text)) return Number(text.replace(/\./g, ''));
  return Number(text);
}

function unitFactor(unit: string | undefined): number {
  if (!unit) return 1;
  if (unit.startsWith('bi')) return 1e9;
  if (unit === 'mil' || unit === 'k') return 1e3;
  return 1e6;
}

function amountAt(match: RegExpExecArray, offset: number): Amount | null {
  const number = match[offset + 1];
  if (!number) return null;
  const unit = match[offset + 2];
  const value = parseNumberPt(number) * unitFactor(unit);
  if (!Number.isFinite(value)) return null;
  return { value, isMoney: Boolean(match[offset] || unit || match[offset + 3]), hasUnit: Boolean(unit) };
}

/** Value filters in a normalised query: ranges ("entre 100 e 500 mil"), bounds ("acima de R$ 1 mi"), "milionários". */
export function extractValueRange(text: TextConsumer): ValueRange {
  const range: ValueRange = {};
  text.consume(RANGE, (match) => {
    const low = amountAt(match, 1);
    const high = amountAt(match, 5);
    if (!low || !high || !(low.isMoney || high.isMoney)) return false;
    // "entre 100 e 500 mil": the unit said once applies to both numbers.
    const lowValue = !low.hasUnit && high.hasUnit ? low.value * unitFactor(match[7]) : low.value;
    range.min = Math.min(lowValue, high.value);
    range.max = Math.max(lowValue, high.value);
    return true;
  });
  text.consume(MIN, (match) => setBound(range, 'min', amountAt(match, 1)));
  text.consume(MAX, (match) => setBound(range, 'max', amountAt(match, 1)));
  text.consume(/\bmilionari[oa]s?\b/g, () => setBound(range, 'min', { value: 1e6, isMoney: true, hasUnit: true }));
  text.consume(/\bbilionari[oa]s?\b/g, () => setBound(range, 'min', { value: 1e9, isMoney: true, hasUnit: true }));
  return range;
}

function setBound(range: ValueRange, bound: 'min' | 'max', amount: Amount | null): boolean {
  if (!amount || range[bound] !== undefined) return false;
  if (!amount.isMoney && amount.value < MIN_BARE_VALUE) return false;
  range[bound] = amount.value;
  return true;
}
