import type { InvestigationSummary } from '@cidadao-ai/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { can, session } from '../auth/session';
import { t } from '../i18n/pt-BR';
import { AuditExportButton } from '../ui/audit-export';
import { useFollow } from '../ui/connection';
import { ConnectionIndicator } from '../ui/connection-indicator';
import { href } from '../ui/router';
import { useStore } from '../ui/store';
import { AnomalyTable } from './anomaly-table';
import { MonthlySpendChart, monthsOf, VendorConcentration } from './charts';
import { EMPTY_VIEW, evolveView, type InvestigationView, type Outcome } from './investigation-model';
import { Report } from './report';

function OutcomeLine({ outcome }: { outcome: Outcome }) {
  switch (outcome.kind) {
    case 'running':
      return null;
    case 'completed':
      return <p class="outcome ok">{t.view.completed(outcome.total, outcome.time)}</p>;
    case 'failed':
      return <p class="outcome error">{t.view.failed(outcome.message)}</p>;
    case 'cancelled':
      return <p class="outcome">{t.view.cancelled(outcome.reason)}</p>;
  }
}

/** Progress, anomalies, trends and report of one investigation, live from its resumable stream. */
export function InvestigationView({
  id,
  view,
  summary,
}: {
  id: string;
  view: InvestigationView;
  summary: InvestigationSummary | null;
}) {
  const current = useStore(session);
  const [cancelling, setCancelling] = useState(false);
  const cancel = async (): Promise<void> => {
    setCancelling(true);
    await api()
      .cancelInvestigation(id, t.view.cancelReason)
      .catch(() => setCancelling(false));
  };
  return (
    <>
      <section class="card" aria-labelledby="progress-heading">
        <h2 id="progress-heading" class="sr-only">
          {t.view.progress}
        </h2>
        <p class="phase">
          {t.view.phase}: <strong data-testid="phase">{t.phase[view.phase] ?? view.phase}</strong> ·{' '}
          <span data-testid="records">{t.view.records(view.records)}</span>
        </p>
        <progress class="big" max={100} value={view.progress} aria-label={`${t.view.progress}: ${view.progress}%`} />
        <span class="pct">{view.progress}%</span>
        <OutcomeLine outcome={view.outcome} />
        {view.outcome.kind === 'running' && can(current, 'cancel') && (
          <button type="button" class="danger" disabled={cancelling} onClick={() => void cancel()}>
            {cancelling ? t.view.cancelling : t.view.cancel}
          </button>
        )}
      </section>
      <section class="card" aria-labelledby="anomalies-heading">
        <h2 id="anomalies-heading">{t.view.anomaliesHeading(view.anomalies.length)}</h2>
        <AnomalyTable rows={view.anomalies} />
      </section>
      <Trends view={view} summary={summary} />
      {summary?.report && (
        <section class="card" aria-labelledby="report-heading">
          <h2 id="report-heading">{t.view.reportHeading}</h2>
          <Report markdown={summary.report} />
        </section>
      )}
    </>
  );
}

/**
 * Anita's charts: from the stream's `trends` events as pages arrive, or from the summary for
 * a stream recorded before they existed.
 */
function Trends({ view, summary }: { view: InvestigationView; summary: InvestigationSummary | null }) {
  const fromSummary = monthsOf(summary?.trends ?? null);
  const months = view.trends?.months ?? fromSummary;
  const text = view.trends?.summary ?? (typeof summary?.trends?.summary === 'string' ? summary.trends.summary : null);
  if (months.length === 0 && !view.anomalies.some((a) => a.type === 'vendor_concentration')) return null;
  return (
    <section class="card" aria-labelledby="trends-heading" data-trends-page={view.trends?.page ?? ''}>
      <h2 id="trends-heading">{t.view.trendsHeading}</h2>
      {view.trends && view.outcome.kind === 'running' && (
        <p class="help" data-testid="trends-so-far">
          {t.view.trendsSoFar(view.trends.page)}
        </p>
      )}
      {text && <p>{text}</p>}
      <MonthlySpendChart points={months} />
      <VendorConcentration rows={view.anomalies} />
    </section>
  );
}

/** The summary holds what the wire stream does not carry (trends, report): read again as phases pass. */
export function useSummary(id: string, view: InvestigationView): InvestigationSummary | null {
  const [summary, setSummary] = useState<InvestigationSummary | null>(null);
  const findings = view.anomalies.length > 0 || view.phase === 'generating_report';
  useEffect(() => {
    const abort = new AbortController();
    api()
      .getInvestigation(id, abort.signal)
      .then(setSummary, () => undefined);
    return () => abort.abort();
  }, [id, findings, view.outcome.kind]);
  return summary;
}

export function InvestigationPage({ id }: { id: string }) {
  const current = useStore(session);
  const [view, setView] = useState<InvestigationView>(EMPTY_VIEW);
  const [announcement, setAnnouncement] = useState('');
  const lastView = useRef(view);
  const connection = useFollow(
    (options) => api().investigationEvents(id, options),
    ({ id: eventId, message }) => {
      const next = evolveView(lastView.current, eventId, message);
      if (message.type === 'anomaly' && message.severity === 'critical' && next !== lastView.current)
        setAnnouncement(
          t.view.newCritical(t.anomalyType[message.anomaly_type] ?? message.anomaly_type, message.contract_id),
        );
      lastView.current = next;
      setView(next);
    },
    [id, current.token],
  );
  const summary = useSummary(id, view);
  return (
    <>
      <div class="row-between">
        <div>
          <h1>{summary?.query ?? id}</h1>
          <p class="help">
            <code>{id}</code>
            {can(current, 'audit') && (
              <>
                {' · '}
                <a href={href.replay(id)}>{t.view.replay}</a>
                {' · '}
                <AuditExportButton />
              </>
            )}
          </p>
        </div>
        <ConnectionIndicator connection={connection} />
      </div>
      <p class="sr-only" aria-live="assertive" data-testid="critical-announcer">
        {announcement}
      </p>
      {connection.kind === 'failed' && view.lastEventId === 0 ? (
        <p class="error">{t.view.notFound}</p>
      ) : (
        <InvestigationView id={id} view={view} summary={summary} />
      )}
    </>
  );
}
