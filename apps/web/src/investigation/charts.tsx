import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { t } from '../i18n/pt-BR';
import type { AnomalyRow } from './investigation-model';

interface MonthPoint {
  readonly month: string;
  readonly value: number;
}

/** Anita's monthly series, from the trends of the investigation's summary. */
export function monthsOf(trends: Readonly<Record<string, unknown>> | null): readonly MonthPoint[] {
  const months = trends?.months;
  if (!Array.isArray(months)) return [];
  return months.flatMap((point: unknown) => {
    const { month, value } = (point ?? {}) as { month?: unknown; value?: unknown };
    return typeof month === 'string' && typeof value === 'number' ? [{ month, value }] : [];
  });
}

const monthName = new Intl.DateTimeFormat('pt-BR', { month: 'short', year: 'numeric', timeZone: 'UTC' });
const brlShort = new Intl.NumberFormat('pt-BR', { notation: 'compact', style: 'currency', currency: 'BRL' });

export function MonthlySpendChart({ points }: { points: readonly MonthPoint[] }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element || points.length === 0) return undefined;
    const xs = points.map((p) => Date.UTC(Number(p.month.slice(0, 4)), Number(p.month.slice(5, 7)) - 1, 1) / 1000);
    const plot = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height: 220,
        series: [
          { label: t.view.month, value: (_u, v) => (v == null ? '—' : monthName.format(new Date(v * 1000))) },
          {
            label: t.view.monthlySpend,
            stroke: '#0b5cad',
            fill: 'rgba(11,92,173,0.15)',
            width: 2,
            value: (_u, v) => brlShort.format(v),
          },
        ],
        axes: [
          { space: 70, values: (_u, ticks) => ticks.map((v) => monthName.format(new Date(v * 1000))) },
          { values: (_u, ticks) => ticks.map((v) => brlShort.format(v)), size: 70 },
        ],
      },
      [xs, points.map((p) => p.value)],
      element,
    );
    return () => plot.destroy();
  }, [points]);
  const summary = points.map((p) => `${p.month}: ${brlShort.format(p.value)}`).join('; ');
  return (
    <figure>
      <figcaption>{t.view.monthlySpend}</figcaption>
      <div ref={host} role="img" aria-label={summary} data-testid="monthly-chart" data-points={points.length} />
    </figure>
  );
}

/** The share the top vendor holds at each buyer flagged for concentration, as bars. */
export function VendorConcentration({ rows }: { rows: readonly AnomalyRow[] }) {
  const bars = rows
    .filter((row) => row.type === 'vendor_concentration' && typeof row.evidence.vendor_share === 'number')
    .map((row) => ({
      buyer: String(row.evidence.unidade_gestora ?? row.contractId),
      share: Number(row.evidence.vendor_share),
    }))
    .sort((a, b) => b.share - a.share)
    .slice(0, 10);
  if (bars.length === 0) return null;
  return (
    <figure>
      <figcaption>{t.view.vendorConcentration}</figcaption>
      <ul class="bars" data-testid="vendor-chart">
        {bars.map((bar) => (
          <li>
            <span class="bar-label">{bar.buyer}</span>
            <span class="bar" style={{ width: `${Math.round(bar.share * 100)}%` }} />
            <span class="bar-value">{(bar.share * 100).toLocaleString('pt-BR', { maximumFractionDigits: 1 })}%</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
