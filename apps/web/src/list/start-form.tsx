import type { InvestigationSummary, StartInvestigationRequest } from '@cidadao-ai/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { t } from '../i18n/pt-BR';
import { href } from '../ui/router';
import { plannedSummary } from './plan';
import { usePreview, type PreviewState } from './preview';

const ANOMALY_TYPES = Object.keys(t.anomalyType);
type Source = NonNullable<StartInvestigationRequest['data_source']>;
const SOURCES: readonly Source[] = ['contracts', 'synthetic', 'portal_transparencia'];
type FilterField = 'orgao' | 'start_date' | 'end_date' | 'min_value' | 'max_value' | 'cnpj';

const FILTER_FIELDS: readonly { name: FilterField; label: string; type: 'text' | 'date' | 'number' }[] = [
  { name: 'orgao', label: t.start.orgao, type: 'text' },
  { name: 'start_date', label: t.start.startDate, type: 'date' },
  { name: 'end_date', label: t.start.endDate, type: 'date' },
  { name: 'min_value', label: t.start.minValue, type: 'number' },
  { name: 'max_value', label: t.start.maxValue, type: 'number' },
  { name: 'cnpj', label: t.start.cnpj, type: 'text' },
];

function requestOf(form: HTMLFormElement): StartInvestigationRequest {
  const data = new FormData(form);
  const text = (name: string): string => String(data.get(name) ?? '').trim();
  const filters: Record<string, string | number> = {};
  for (const { name, type } of FILTER_FIELDS) {
    const value = text(name);
    if (value !== '') filters[name] = type === 'number' ? Number(value) : value;
  }
  const types = data.getAll('anomaly_types').map(String) as StartInvestigationRequest['anomaly_types'];
  return {
    query: text('query'),
    data_source: text('data_source') as Source,
    ...(Object.keys(filters).length > 0 ? { filters } : {}),
    ...(types && types.length > 0 ? { anomaly_types: types } : {}),
  };
}

/** The form an analyst starts an investigation with; it then shows what the planner understood. */
export function StartForm() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<string | null>(null);
  const [plan, setPlan] = useState<InvestigationSummary | null>(null);
  const resultRef = useRef<HTMLDivElement>(null);
  const [preview, schedulePreview] = usePreview();

  useEffect(() => {
    if (!started) return undefined;
    const abort = new AbortController();
    plannedSummary(started, abort.signal).then(setPlan, (e: unknown) => abort.signal.aborted || setError(String(e)));
    return () => abort.abort();
  }, [started]);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setPlan(null);
    try {
      const accepted = await api().startInvestigation(requestOf(event.currentTarget as HTMLFormElement), {
        idempotencyKey: crypto.randomUUID(),
      });
      setStarted(accepted.investigation_id);
      resultRef.current?.focus();
    } catch (e) {
      setError(t.errors.generic(e instanceof Error ? e.message : String(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="start-heading">
      <h2 id="start-heading">{t.start.heading}</h2>
      <form
        onSubmit={(e) => void submit(e)}
        onInput={(e) => schedulePreview(requestOf(e.currentTarget))}
        data-testid="start-form"
      >
        <label for="query">{t.start.query}</label>
        <input id="query" name="query" required maxLength={500} placeholder={t.start.queryPlaceholder} />
        <label for="data_source">{t.start.dataSource}</label>
        <select id="data_source" name="data_source">
          {SOURCES.map((s) => (
            <option value={s}>{t.dataSource[s]}</option>
          ))}
        </select>
        <details>
          <summary>{t.start.filters}</summary>
          <div class="grid">
            {FILTER_FIELDS.map(({ name, label, type }) => (
              <label>
                {label}
                <FilterInput name={name} type={type} />
              </label>
            ))}
          </div>
          <fieldset>
            <legend>{t.start.anomalyTypes}</legend>
            {ANOMALY_TYPES.map((type) => (
              <label class="check">
                <input type="checkbox" name="anomaly_types" value={type} /> {t.anomalyType[type]}
              </label>
            ))}
          </fieldset>
        </details>
        <PreviewPanel state={preview} />
        <button type="submit" disabled={busy}>
          {busy ? t.start.submitting : t.start.submit}
        </button>
      </form>
      <div ref={resultRef} tabIndex={-1} aria-live="polite" data-testid="start-result">
        {error && <p class="error">{error}</p>}
        {started && (
          <div class="plan">
            <h3>{t.start.parsedHeading}</h3>
            {plan ? (
              <PlanFilters filters={plan.filters} detectors={plan.plan?.detectors ?? []} testId="plan-filters" />
            ) : (
              <p>{t.start.parsedPending}</p>
            )}
            <p>
              <a class="button" href={href.investigation(started)} data-testid="open-investigation">
                {t.start.open}
              </a>
            </p>
          </div>
        )}
      </div>
    </section>
  );
}

function FilterInput({ name, type }: { name: FilterField; type: 'text' | 'date' | 'number' }) {
  if (type === 'number') return <input name={name} type="number" min={0} step="any" />;
  if (type === 'date') return <input name={name} type="date" />;
  return <input name={name} type="text" />;
}

/** Before starting: what the server reads from the form so far, updated as the user types. */
function PreviewPanel({ state }: { state: PreviewState }) {
  if (state.kind === 'idle') return null;
  return (
    <div class="plan preview" aria-live="polite" data-testid="preview" aria-busy={state.kind === 'reading'}>
      <h3>{t.start.previewHeading}</h3>
      {state.kind === 'reading' && <p>{t.start.previewReading}</p>}
      {state.kind === 'failed' && <p class="error">{t.errors.generic(state.message)}</p>}
      {state.kind === 'ready' && (
        <PlanFilters
          filters={state.preview.filters}
          detectors={state.preview.plan.detectors}
          testId="preview-filters"
          query={state.preview.query}
        />
      )}
    </div>
  );
}

function PlanFilters({
  filters,
  detectors,
  testId,
  query,
}: {
  filters: Readonly<Record<string, unknown>>;
  detectors: readonly string[];
  testId: string;
  /** The query the filters were read from, for a test or a person to match them with what was typed. */
  query?: string;
}) {
  const entries = Object.entries(filters);
  const labels: Record<string, string> = Object.fromEntries(FILTER_FIELDS.map((f) => [f.name, f.label]));
  return (
    <dl data-testid={testId} data-query={query}>
      {entries.length === 0 && <dd>{t.start.parsedNone}</dd>}
      {entries.map(([name, value]) => (
        <>
          <dt>{labels[name] ?? name}</dt>
          <dd>{String(value)}</dd>
        </>
      ))}
      <dt>{t.start.detectors}</dt>
      <dd>{detectors.map((d) => t.anomalyType[d] ?? d).join(', ')}</dd>
    </dl>
  );
}
