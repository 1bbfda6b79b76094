import { t } from '../i18n/pt-BR';
import type { StoredEvent } from './replay-stream';

/** Every stored event with its ids: what an auditor checks the replay against. */
export function EventLog({ events, replayedThrough }: { events: readonly StoredEvent[]; replayedThrough: number }) {
  const c = t.replay.logColumns;
  return (
    <aside id="event-log" class="card drawer" aria-labelledby="event-log-heading">
      <h2 id="event-log-heading">{t.replay.logHeading}</h2>
      <div class="table-wrap">
        <table data-testid="event-log">
          <thead>
            <tr>
              <th scope="col">{c.id}</th>
              <th scope="col">{c.type}</th>
              <th scope="col">{c.time}</th>
              <th scope="col">{c.causation}</th>
              <th scope="col">{c.correlation}</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.id} class={event.id <= replayedThrough ? 'replayed' : ''}>
                <td>{event.id}</td>
                <td>{event.type}</td>
                <td>
                  {event.metadata.occurredAt ? new Date(event.metadata.occurredAt).toLocaleTimeString('pt-BR') : '—'}
                </td>
                <td>
                  <code>{event.metadata.commandId ?? '—'}</code>
                </td>
                <td>
                  <code>{event.metadata.correlationId ?? '—'}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </aside>
  );
}
