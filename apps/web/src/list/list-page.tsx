import { useMemo, useState } from 'preact/hooks';
import { can, session } from '../auth/session';
import { t } from '../i18n/pt-BR';
import { useFollow } from '../ui/connection';
import { ConnectionIndicator } from '../ui/connection-indicator';
import { href } from '../ui/router';
import { SeverityCounts } from '../ui/severity';
import { useStore } from '../ui/store';
import { applyChange, visibleRows, type ListRow } from './list-row';
import { listSource } from './list-source';
import { StartForm } from './start-form';

const STATUSES = ['running', 'completed', 'failed', 'cancelled'];

export function ListPage() {
  const current = useStore(session);
  const source = useMemo(() => listSource(can(current, 'watch-any')), [current]);
  const [rows, setRows] = useState<ReadonlyMap<string, ListRow>>(new Map());
  const [status, setStatus] = useState('');
  const [text, setText] = useState('');
  const connection = useFollow(
    (options) => source.open(options),
    ({ message }) => setRows((before) => message.reduce(applyChange, before)),
    [source],
  );
  const shown = visibleRows(rows, status, text);
  return (
    <>
      {can(current, 'start') ? (
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
        <p class="help">{source.scope === 'all' ? t.list.sourceAll : t.list.sourceOwn}</p>
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
          <p>{t.list.empty}</p>
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
      </section>
    </>
  );
}
