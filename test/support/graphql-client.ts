import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import { WebSocket } from 'ws';

/** A GraphQL result over HTTP: its status and body. */
export interface GraphqlHttpReply {
  readonly status: number;
  readonly body: {
    readonly data?: Record<string, unknown> | null;
    readonly errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

/** POSTs a query to /graphql as GraphQL over HTTP. */
export async function postGraphql(
  url: string,
  query: string,
  options: { token?: string; variables?: Record<string, unknown> } = {},
): Promise<GraphqlHttpReply> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
    },
    body: JSON.stringify({ query, ...(options.variables ? { variables: options.variables } : {}) }),
  });
  return { status: res.status, body: (await res.json()) as GraphqlHttpReply['body'] };
}

/** How a graphql-ws connection ended, or what a subscription received before it ended. */
export interface GraphqlSubscription {
  readonly results: FormattedExecutionResult<Record<string, unknown>, unknown>[];
  /** Settles when the subscription completes (resolves) or fails (the error, or the close event). */
  readonly done: Promise<'complete' | { error: unknown }>;
  /** Closes the client (dispose): a completed stream end, not a cut. */
  dispose(): Promise<void>;
  /** Drops the TCP connection under the client, as a network failure would. */
  cut(): void;
}

/**
 * A graphql-ws client that does not retry (every end is the test's to see), over `ws`, one
 * subscription on it. `connectionParams` is sent in connection_init; `onResult` sees each result.
 */
export function subscribeGraphql(
  url: string,
  query: string,
  connectionParams: Record<string, unknown> | undefined,
  variables?: Record<string, unknown>,
  onResult?: (result: FormattedExecutionResult<Record<string, unknown>, unknown>) => void,
): GraphqlSubscription {
  const sockets: WebSocket[] = [];
  class TrackedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols);
      sockets.push(this);
    }
  }
  let closeEvent: unknown = null;
  const client: Client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: TrackedWebSocket,
    retryAttempts: 0,
    lazy: true,
    ...(connectionParams === undefined ? {} : { connectionParams }),
    on: { closed: (event) => (closeEvent = event) },
  });
  const results: FormattedExecutionResult<Record<string, unknown>, unknown>[] = [];
  const done = new Promise<'complete' | { error: unknown }>((resolve) => {
    client.subscribe<Record<string, unknown>>(
      { query, ...(variables ? { variables } : {}) },
      {
        next: (result) => {
          results.push(result);
          onResult?.(result);
        },
        error: (error) => resolve({ error: error ?? closeEvent }),
        complete: () => resolve('complete'),
      },
    );
  });
  return {
    results,
    done,
    dispose: async () => {
      await client.dispose();
      for (const socket of sockets) socket.terminate();
    },
    cut: () => {
      for (const socket of sockets) socket.terminate();
    },
  };
}

/** The close code of a subscription's failure (a CloseEvent), or null. */
export function closeCodeOf(outcome: 'complete' | { error: unknown }): number | null {
  if (outcome === 'complete') return null;
  const { error } = outcome;
  return typeof error === 'object' && error !== null && 'code' in error ? Number(error.code) : null;
}
