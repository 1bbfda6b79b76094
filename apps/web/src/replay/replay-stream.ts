import {
  resumableStream,
  sseTransport,
  TokenSource,
  type InvestigationWireEvent,
  type StreamMessage,
  type StreamOptions,
} from '@cidadao-ai/client';
import { authHeaders } from '../api';
import { session } from '../auth/session';

/** One stored event as GET /api/v1/investigations/{id}/events lists it. */
export interface StoredEvent {
  readonly id: number;
  readonly type: string;
  readonly metadata: {
    readonly commandId?: string;
    readonly correlationId?: string;
    readonly occurredAt?: string;
  };
}

export async function storedEvents(id: string, signal: AbortSignal): Promise<StoredEvent[]> {
  const response = await fetch(`/api/v1/investigations/${encodeURIComponent(id)}/events`, {
    headers: { Accept: 'application/json', ...authHeaders() },
    signal,
  });
  if (!response.ok) throw new Error(`${response.status}`);
  return ((await response.json()) as { events: StoredEvent[] }).events;
}

const END = new Set(['complete', 'error', 'cancelled']);

/** The investigation re-emitted at `speed`× its original pace, through the client package's resumable SSE. */
export function replayStream(
  id: string,
  speed: number,
  options: StreamOptions,
): AsyncGenerator<StreamMessage<InvestigationWireEvent>> {
  const url = `${location.origin}/api/v1/investigations/${encodeURIComponent(id)}/replay?speed=${speed}`;
  const token = session.get().token;
  return resumableStream<InvestigationWireEvent>(
    sseTransport(globalThis.fetch.bind(globalThis), url),
    { isTerminal: (event) => END.has(event.type) },
    new TokenSource(token ? () => token : undefined),
    options,
  );
}
