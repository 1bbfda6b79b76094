function groupThousands(integer: string): string {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/** pt-BR number without ICU: `1234.5` → `1.234,5` (fixed decimals). */
export function formatNumberPt(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return '—';
  const fixed = Math.abs(value).toFixed(decimals);
  const [integer = '0', fraction] = fixed.split('.');
  const body = fraction ? `${groupThousands(integer)},${fraction}` : groupThousands(integer);
  return value < 0 && Number(fixed) !== 0 ? `-${body}` : body;
}

/** `1234.5` → `R$ 1.234,50`. */
export function formatBrl(value: number): string {
  const text = formatNumberPt(value, 2);
  return text.startsWith('-') ? `-R$ ${text.slice(1)}` : `R$ ${text}`;
}

/** `0.4567` → `45,7%`. */
export function formatPercentPt(ratio: number, decimals = 1): string {
  return `${formatNumberPt(ratio * 100, decimals)}%`;
}
