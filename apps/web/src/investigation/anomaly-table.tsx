import { useState } from 'preact/hooks';
import { t } from '../i18n/pt-BR';
import { SeverityBadge } from '../ui/severity';
import type { AnomalyRow } from './investigation-model';

const brl = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });

function Row({ row }: { row: AnomalyRow }) {
  const [open, setOpen] = useState(false);
  const evidenceId = `evidence-${row.anomalyId}`;
  return (
    <>
      <tr data-anomaly-id={row.anomalyId} data-event-id={row.eventId} class={`sev-row-${row.severity}`}>
        <td data-label={t.view.columns.severity}>
          <SeverityBadge severity={row.severity} />
        </td>
        <td data-label={t.view.columns.type}>{t.anomalyType[row.type] ?? row.type}</td>
        <td data-label={t.view.columns.contract}>
          <code>{row.contractId}</code>
        </td>
        <td data-label={t.view.columns.value} class="num">
          {row.value === null ? '—' : brl.format(row.value)}
        </td>
        <td data-label={t.view.columns.explanation}>{row.explanation}</td>
        <td>
          <button
            type="button"
            class="link"
            aria-expanded={open}
            aria-controls={evidenceId}
            onClick={() => setOpen(!open)}
          >
            {open ? t.view.hideEvidence : t.view.showEvidence}
          </button>
        </td>
      </tr>
      {open && (
        <tr id={evidenceId} class="evidence">
          <td colSpan={6}>
            <dl>
              {Object.entries(row.evidence).map(([key, value]) => (
                <>
                  <dt>{key}</dt>
                  <dd>{typeof value === 'number' ? value.toLocaleString('pt-BR') : value}</dd>
                </>
              ))}
            </dl>
          </td>
        </tr>
      )}
    </>
  );
}

/** The anomalies found so far, most severe first, one row per anomaly id. */
export function AnomalyTable({ rows }: { rows: readonly AnomalyRow[] }) {
  if (rows.length === 0) return <p>{t.view.noAnomalies}</p>;
  return (
    <div class="table-wrap">
      <table data-testid="anomalies" class="stack">
        <thead>
          <tr>
            <th scope="col">{t.view.columns.severity}</th>
            <th scope="col">{t.view.columns.type}</th>
            <th scope="col">{t.view.columns.contract}</th>
            <th scope="col">{t.view.columns.value}</th>
            <th scope="col">{t.view.columns.explanation}</th>
            <th scope="col">
              <span class="sr-only">{t.view.evidence}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <Row key={row.anomalyId} row={row} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
