import {
  resumableStream,
  sseTransport,
  type InvestigationWireEvent,
  type StreamMessage,
  type StreamOptions,
} from '@cidadao-ai/client';
import { apiFetch, pageTokens } from '../api';

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
  const response = await apiFetch(`/api/v1/investigations/${encodeURIComponent(id)}/events`, {
    headers: { Accept: 'application/json' },
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
  return resumableStream<InvestigationWireEvent>(
    sseTransport(globalThis.fetch.bind(globalThis), url),
    { isTerminal: (event) => END.has(event.type) },
    pageTokens(),
    options,
  );
}

/** The server's fastest pace: every event at once, in order. */
export const INSTANT = 1000;

/**
 * A seek: the first `through` events at once (the state at event `through`), then the rest at
 * `speed`× from there, resumed after that event. `onSeeked` is told once the state at the
 * event is shown, whichever event was the last with a wire frame.
 */
export async function* seekThenPlay(
  id: string,
  through: number,
  speed: number,
  options: StreamOptions,
  onSeeked: (through: number) => void,
): AsyncGenerator<StreamMessage<InvestigationWireEvent>> {
  if (through > 0) {
    for await (const message of replayStream(id, INSTANT, options)) {
      if (Number(message.id) > through) break;
      yield message;
      if (Number(message.id) === through) break;
    }
    if (options.signal?.aborted) return;
    onSeeked(through);
  }
  yield* replayStream(id, speed, { ...options, ...(through > 0 ? { lastEventId: String(through) } : {}) });
}
