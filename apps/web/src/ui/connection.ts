import type { ReconnectInfo, StreamMessage, StreamOptions } from '@cidadao-ai/client';
import { useEffect, useState } from 'preact/hooks';

/** What the connection indicator says: never "live" while the stream is down. */
export type Connection =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'live'; readonly resumedAfter: string | null }
  | {
      readonly kind: 'reconnecting';
      readonly attempt: number;
      readonly lastEventId: string | null;
      /** Why the last attempt failed, as the client saw it. */
      readonly cause: string;
    }
  | { readonly kind: 'ended'; readonly resumedAfter: string | null }
  | { readonly kind: 'failed'; readonly message: string };

/** A person watching waits at most this long between attempts; jitter still spreads the reconnections. */
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * Follows one resumable stream until `stop` is called, telling `onConnection` honestly what
 * the connection is: reconnecting between a drop and the next message, then live again,
 * "resumed after event N" once a reconnection delivered. Nothing reaches `onMessage` after
 * `stop`, not even a message the stream had already read: a page that starts another stream
 * must not see the last one's.
 */
export function followStream<T>(
  open: (options: StreamOptions) => AsyncIterable<StreamMessage<T>>,
  onMessage: (message: StreamMessage<T>) => void,
  onConnection: (connection: Connection) => void,
): () => void {
  const abort = new AbortController();
  let resumedAfter: string | null = null;
  let down = false;
  let first = true;
  onConnection({ kind: 'connecting' });
  const onReconnect = (info: ReconnectInfo): void => {
    down = true;
    // Before anything was delivered a new attempt is a retry, not a resumption.
    if (!first) resumedAfter = info.lastEventId ?? '0';
    const cause = info.cause instanceof Error ? info.cause.message : String(info.cause);
    onConnection({ kind: 'reconnecting', attempt: info.attempt, lastEventId: resumedAfter, cause });
  };
  void (async () => {
    try {
      for await (const message of open({
        signal: abort.signal,
        onReconnect,
        maxAttempts: 1000,
        maxDelayMs: MAX_RETRY_DELAY_MS,
      })) {
        if (abort.signal.aborted) return;
        if (first || down) onConnection({ kind: 'live', resumedAfter });
        first = false;
        down = false;
        onMessage(message);
      }
      if (!abort.signal.aborted) onConnection({ kind: 'ended', resumedAfter });
    } catch (error) {
      if (!abort.signal.aborted)
        onConnection({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  })();
  return () => abort.abort();
}

/** {@link followStream} while the component is shown, opened again whenever `deps` change. */
export function useFollow<T>(
  open: ((options: StreamOptions) => AsyncIterable<StreamMessage<T>>) | null,
  onMessage: (message: StreamMessage<T>) => void,
  deps: readonly unknown[],
): Connection {
  const [connection, setConnection] = useState<Connection>({ kind: 'connecting' });
  useEffect(() => (open ? followStream(open, onMessage, setConnection) : undefined), deps);
  return connection;
}
