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
 * Follows one resumable stream of the client while the component is shown, tracking its
 * connection honestly: reconnecting between a drop and the next message, then live again,
 * "resumed after event N" once a reconnection delivered.
 */
export function useFollow<T>(
  open: ((options: StreamOptions) => AsyncIterable<StreamMessage<T>>) | null,
  onMessage: (message: StreamMessage<T>) => void,
  deps: readonly unknown[],
): Connection {
  const [connection, setConnection] = useState<Connection>({ kind: 'connecting' });
  useEffect(() => {
    if (!open) return undefined;
    const abort = new AbortController();
    let resumedAfter: string | null = null;
    let down = false;
    let first = true;
    setConnection({ kind: 'connecting' });
    const onReconnect = (info: ReconnectInfo): void => {
      down = true;
      // Before anything was delivered a new attempt is a retry, not a resumption.
      if (!first) resumedAfter = info.lastEventId ?? '0';
      const cause = info.cause instanceof Error ? info.cause.message : String(info.cause);
      setConnection({ kind: 'reconnecting', attempt: info.attempt, lastEventId: resumedAfter, cause });
    };
    void (async () => {
      try {
        for await (const message of open({
          signal: abort.signal,
          onReconnect,
          maxAttempts: 1000,
          maxDelayMs: MAX_RETRY_DELAY_MS,
        })) {
          if (first || down) setConnection({ kind: 'live', resumedAfter });
          first = false;
          down = false;
          onMessage(message);
        }
        if (!abort.signal.aborted) setConnection({ kind: 'ended', resumedAfter });
      } catch (error) {
        if (!abort.signal.aborted)
          setConnection({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
      }
    })();
    return () => abort.abort();
  }, deps);
  return connection;
}
