import { t } from '../i18n/pt-BR';
import type { Connection } from './connection';

function label(connection: Connection): string {
  switch (connection.kind) {
    case 'connecting':
      return t.connection.connecting;
    case 'live':
      return connection.resumedAfter === null ? t.connection.live : t.connection.resumed(connection.resumedAfter);
    case 'reconnecting':
      return `${t.connection.reconnecting(connection.attempt)}: ${connection.cause}`;
    case 'ended':
      return connection.resumedAfter === null
        ? t.connection.ended
        : `${t.connection.ended} · ${t.connection.resumedShort(connection.resumedAfter)}`;
    case 'failed':
      return `${t.connection.failed}: ${connection.message}`;
  }
}

/** Live, reconnecting or resumed: says what the stream is doing, announced politely to screen readers. */
export function ConnectionIndicator({ connection }: { connection: Connection }) {
  return (
    <p class={`connection connection-${connection.kind}`} role="status" aria-live="polite" data-testid="connection">
      <span class="dot" aria-hidden="true" />
      {label(connection)}
    </p>
  );
}
