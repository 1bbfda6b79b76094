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

function chartOptions(width: number): uPlot.Options {
  return {
    width,
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
  };
}

/** The monthly series; one plot per chart, its data replaced as pages arrive rather than the plot rebuilt. */
export function MonthlySpendChart({ points }: { points: readonly MonthPoint[] }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(
    () => () => {
      plot.current?.destroy();
      plot.current = null;
    },
    [],
  );
  const key = points.map((p) => `${p.month}=${p.value}`).join(';');
  useEffect(() => {
    const element = host.current;
    if (!element || points.length === 0) return;
    const xs = points.map((p) => Date.UTC(Number(p.month.slice(0, 4)), Number(p.month.slice(5, 7)) - 1, 1) / 1000);
    const data: uPlot.AlignedData = [xs, points.map((p) => p.value)];
    if (plot.current) plot.current.setData(data);
    else plot.current = new uPlot(chartOptions(Math.max(280, element.clientWidth)), data, element);
  }, [key]);
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
