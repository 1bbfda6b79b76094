export type Cell = string | number;

/** A plain-text table with right-aligned numbers, for terminals and for pasting into markdown. */
export function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => row.map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[], numeric: (i: number) => boolean): string =>
    `| ${cells.map((cell, i) => (numeric(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  return [
    line(header, () => false),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map((row, r) => line(text[r] ?? [], (i) => typeof row[i] === 'number' || i > 0)),
  ].join('\n');
}

export const fixed = (value: number, decimals = 3): string => value.toFixed(decimals);
export const thousands = (value: number): string => Math.round(value).toLocaleString('en-US');
