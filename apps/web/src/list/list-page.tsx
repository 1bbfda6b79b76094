import { useRef, useState } from 'preact/hooks';
import { can, session } from '../auth/session';
import { t } from '../i18n/pt-BR';
import { useFollow, type Connection } from '../ui/connection';
import { ConnectionIndicator } from '../ui/connection-indicator';
import { href } from '../ui/router';
import { SeverityCounts } from '../ui/severity';
import { useStore } from '../ui/store';
import { applyChange, visibleRows, type ListRow } from './list-row';
import { listChanges, olderPage, type ListBatch } from './list-source';
import { StartForm } from './start-form';

const STATUSES = ['running', 'completed', 'failed', 'cancelled'];

export function ListPage() {
  const current = useStore(session);
  // The rows are the server's choice for the caller; the roles only say which they are.
  const seesEveryone = can(current, 'watch-any');
  const [rows, setRows] = useState<ReadonlyMap<string, ListRow>>(new Map());
  const [status, setStatus] = useState('');
  const [text, setText] = useState('');
  const older = useOlderPages((batch) => setRows((before) => batch.changes.reduce(applyChange, before)));
  const connection = useFollow(
    listChanges,
    ({ message }) => {
      if (message.nextCursor !== undefined) older.reset(message.nextCursor);
      setRows((before) => message.changes.reduce(applyChange, before));
    },
    [],
  );
  const shown = visibleRows(rows, status, text);
  return (
    <>
      {current.caller === null ? null : can(current, 'start') ? (
        <StartForm />
      ) : (
        <p class="note" data-testid="viewer-note">
          {t.start.viewerCannotStart}
        </p>
      )}
      <section class="card" aria-labelledby="list-heading">
        <div class="row-between">
          <h1 id="list-heading">{t.list.heading}</h1>
          <ConnectionIndicator connection={connection} />
        </div>
        <p class="help">{seesEveryone ? t.list.sourceAll : t.list.sourceOwn}</p>
        <div class="filters">
          <label>
            {t.list.filterStatus}
            <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
              <option value="">{t.list.filterAll}</option>
              {STATUSES.map((s) => (
                <option value={s}>{t.status[s]}</option>
              ))}
            </select>
          </label>
          <label>
            {t.list.filterText}
            <input
              type="search"
              value={text}
              placeholder={t.list.filterTextPlaceholder}
              onInput={(e) => setText(e.currentTarget.value)}
            />
          </label>
        </div>
        {shown.length === 0 ? (
          <EmptyList connection={connection} anyRow={rows.size > 0} />
        ) : (
          <div class="table-wrap">
            <table data-testid="investigations">
              <thead>
                <tr>
                  <th scope="col">{t.list.columns.query}</th>
                  <th scope="col">{t.list.columns.status}</th>
                  <th scope="col">{t.list.columns.progress}</th>
                  <th scope="col">{t.list.columns.anomalies}</th>
                  <th scope="col">{t.list.columns.owner}</th>
                  <th scope="col">{t.list.columns.started}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((row) => (
                  <tr key={row.id} data-id={row.id}>
                    <td>
                      <a href={href.investigation(row.id)}>{row.query || row.id}</a>
                    </td>
                    <td>
                      <span class={`status status-${row.status}`}>{t.status[row.status] ?? row.status}</span>
                      <br />
                      <small>{row.phase && row.status === 'running' ? (t.phase[row.phase] ?? row.phase) : ''}</small>
                    </td>
                    <td>
                      <progress
                        max={100}
                        value={row.progress}
                        aria-label={`${t.list.columns.progress} ${row.progress}%`}
                      />{' '}
                      {row.progress}%
                    </td>
                    <td>
                      <SeverityCounts counts={row.counts} />
                    </td>
                    <td>{row.owner ?? '—'}</td>
                    <td>{row.startedAt ? new Date(row.startedAt).toLocaleString('pt-BR') : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {older.cursor !== null && (
          <p class="load-more">
            <button type="button" disabled={older.loading} onClick={older.load} data-testid="load-more">
              {older.loading ? t.list.loadingMore : t.list.loadMore}
            </button>
          </p>
        )}
        {older.error && (
          <p class="error" role="alert">
            {t.list.loadMoreFailed(older.error)}
          </p>
        )}
      </section>
    </>
  );
}

/** "Load more": the page after the last one read, on demand, older rows each time; a failure is shown and can be retried. */
function useOlderPages(apply: (batch: ListBatch) => void) {
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const reset = (next: string | null): void => {
    generation.current++;
    setCursor(next);
    setLoading(false);
    setError(null);
  };
  const load = (): void => {
    if (cursor === null) return;
    const mine = generation.current;
    setLoading(true);
    setError(null);
    olderPage(cursor).then(
      (batch) => {
        if (mine !== generation.current) return;
        apply(batch);
        setCursor(batch.nextCursor ?? null);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== generation.current) return;
        setError(e instanceof Error ? e.message : String(e));
        setLoading(false);
      },
    );
  };
  return { cursor, loading, error, reset, load };
}

/** No row to show: say why, honestly (still reading, failing and retrying, refused, or truly empty). */
function EmptyList({ connection, anyRow }: { connection: Connection; anyRow: boolean }) {
  if (anyRow) return <p data-testid="list-status">{t.list.empty}</p>;
  switch (connection.kind) {
    case 'connecting':
      return <p data-testid="list-status">{t.list.loading}</p>;
    case 'reconnecting':
      return (
        <p class="error" data-testid="list-status">
          {t.list.firstPageFailed(connection.attempt, connection.cause)}
        </p>
      );
    case 'failed':
      return (
        <p class="error" role="alert" data-testid="list-status">
          {t.list.refused(connection.message)}
        </p>
      );
    default:
      return <p data-testid="list-status">{t.list.empty}</p>;
  }
}
