import type { TextConsumer } from './text-consumer.js';

const MONTHS = [
  'janeiro',
  'fevereiro',
  'marco',
  'abril',
  'maio',
  'junho',
  'julho',
  'agosto',
  'setembro',
  'outubro',
  'novembro',
  'dezembro',
];
const ABBREVIATIONS = ['jan', 'fev', 'mar', 'abr', 'mai', 'jun', 'jul', 'ago', 'set', 'out', 'nov', 'dez'];
const MONTH = `(${MONTHS.join('|')})`;
const YEAR = String.raw`((?:19[89]|20\d)\d)`;
const DATE = String.raw`(\d{1,2})/(\d{1,2})/(\d{4})`;
const OF = String.raw`\s*(?:de\s+|/\s*)?`;
const FROM = String.raw`(desde|a partir de|apos|depois de)`;
const UNTIL = String.raw`(ate|antes de)`;

export interface Period {
  start?: string;
  end?: string;
}

interface Span {
  readonly start: string;
  readonly end: string;
}

const pad = (n: number): string => String(n).padStart(2, '0');
const lastDay = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();
const monthIndex = (name: string | undefined): number => MONTHS.indexOf(name ?? '') + 1;

function monthSpan(year: number, first: number, last = first): Span {
  return { start: `${year}-${pad(first)}-01`, end: `${year}-${pad(last)}-${pad(lastDay(year, last))}` };
}

function daySpan(day: string | undefined, month: string | undefined, year: string | undefined): Span | null {
  const d = Number(day);
  const m = Number(month);
  const y = Number(year);
  if (m < 1 || m > 12 || d < 1 || d > lastDay(y, m)) return null;
  const iso = `${y}-${pad(m)}-${pad(d)}`;
  return { start: iso, end: iso };
}

/** A year, or a month of a year when the month name is present. */
function periodSpan(month: string | undefined, year: string | undefined): Span {
  const m = monthIndex(month);
  return m > 0 ? monthSpan(Number(year), m) : monthSpan(Number(year), 1, 12);
}

const shiftDay = (iso: string, days: number): string =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** "desde/a partir de" include the period, "após/depois de" start after it. */
function openStart(word: string | undefined, span: Span): Period {
  return { start: word === 'apos' || word === 'depois de' ? shiftDay(span.end, 1) : span.start };
}

/** "até" includes the period, "antes de" ends before it. */
function openEnd(word: string | undefined, span: Span): Period {
  return { end: word === 'antes de' ? shiftDay(span.start, -1) : span.end };
}

type Rule = readonly [RegExp, (m: RegExpExecArray) => Period | null];

const join = (a: Span | null, b: Span | null): Period | null => (a && b ? { start: a.start, end: b.end } : null);

const RULES: readonly Rule[] = [
  [
    new RegExp(String.raw`\b(?:entre|de)\s+${DATE}\s+(?:e|a|ate)\s+${DATE}`, 'g'),
    (m) => join(daySpan(m[1], m[2], m[3]), daySpan(m[4], m[5], m[6])),
  ],
  [
    new RegExp(String.raw`\b${FROM}\s+(?:o dia\s+)?${DATE}`, 'g'),
    (m) => spanThen(daySpan(m[2], m[3], m[4]), (s) => openStart(m[1], s)),
  ],
  [
    new RegExp(String.raw`\b${UNTIL}\s+(?:o dia\s+)?${DATE}`, 'g'),
    (m) => spanThen(daySpan(m[2], m[3], m[4]), (s) => openEnd(m[1], s)),
  ],
  [new RegExp(DATE, 'g'), (m) => daySpan(m[1], m[2], m[3])],
  [
    new RegExp(String.raw`\b(?:entre|de)\s+${MONTH}${OF}${YEAR}\s+(?:e|a|ate)\s+${MONTH}${OF}${YEAR}`, 'g'),
    (m) => join(periodSpan(m[1], m[2]), periodSpan(m[3], m[4])),
  ],
  [
    new RegExp(String.raw`\b(?:entre|de)\s+${MONTH}\s+(?:e|a|ate)\s+${MONTH}${OF}${YEAR}`, 'g'),
    (m) => join(periodSpan(m[1], m[3]), periodSpan(m[2], m[3])),
  ],
  [new RegExp(String.raw`\b(primeiro|1o|1º|segundo|2o|2º)\s+semestre${OF}${YEAR}`, 'g'), (m) => semester(m[1], m[2])],
  [
    new RegExp(String.raw`\b([1-4])[oº]?\s+trimestre${OF}${YEAR}`, 'g'),
    (m) => monthSpan(Number(m[2]), Number(m[1]) * 3 - 2, Number(m[1]) * 3),
  ],
  [
    new RegExp(String.raw`\b(?:entre|de)\s+${YEAR}\s+(?:e|a|ate)\s+${YEAR}\b`, 'g'),
    (m) => join(periodSpan(undefined, m[1]), periodSpan(undefined, m[2])),
  ],
  [
    new RegExp(String.raw`\b${FROM}\s+(?:${MONTH}${OF})?${YEAR}\b`, 'g'),
    (m) => openStart(m[1], periodSpan(m[2], m[3])),
  ],
  [new RegExp(String.raw`\b${UNTIL}\s+(?:${MONTH}${OF})?${YEAR}\b`, 'g'), (m) => openEnd(m[1], periodSpan(m[2], m[3]))],
  [new RegExp(String.raw`\b${MONTH}${OF}${YEAR}\b`, 'g'), (m) => periodSpan(m[1], m[2])],
  [
    new RegExp(String.raw`\b(${ABBREVIATIONS.join('|')})\s*/\s*${YEAR}\b`, 'g'),
    (m) => monthSpan(Number(m[2]), ABBREVIATIONS.indexOf(m[1] ?? '') + 1),
  ],
  // A bare year, unless it is an amount ("R$ 2024", "2024 mil").
  [
    new RegExp(String.raw`(?<!r\$\s?)(?<![\d.,])\b${YEAR}\b(?![.,]\d)(?!\s*(?:mil|milh|bi|k|reais)\b)`, 'g'),
    (m) => periodSpan(undefined, m[1]),
  ],
];

function spanThen(span: Span | null, then: (span: Span) => Period): Period | null {
  return span ? then(span) : null;
}

function semester(which: string | undefined, year: string | undefined): Span {
  const first = which?.startsWith('1') || which === 'primeiro';
  return monthSpan(Number(year), first ? 1 : 7, first ? 6 : 12);
}

/** The period a normalised query names; several periods widen to the span covering all of them. */
export function extractPeriod(text: TextConsumer): Period {
  const period: Period = {};
  for (const [pattern, toPeriod] of RULES) {
    text.consume(pattern, (match) => {
      const found = toPeriod(match);
      if (!found) return false;
      if (found.start && (!period.start || found.start < period.start)) period.start = found.start;
      if (found.end && (!period.end || found.end > period.end)) period.end = found.end;
      return true;
    });
  }
  return period;
}
