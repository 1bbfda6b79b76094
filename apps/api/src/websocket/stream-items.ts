import { defer, from, map, mergeMap, type Observable } from 'rxjs';
import { catchUpThenLive, decodeWith, type Stored, type LiveFeed, type EventStore } from '#eventsourcing';
import type { Principal, PumpItem, SseMessage } from '#platform';
import { chatEventCatalog, chatStreamId, type ChatEvent } from '#chat';
import type { InvestigationsService } from '../investigations/investigations.service.js';
import { toWire } from '../chat/chat.service.js';
import type { OutboundMessage } from './ws-messages.js';

/** One event as sent on a WebSocket: its revision and the message it becomes. */
export interface StreamItem extends PumpItem {
  readonly message: OutboundMessage;
  /** The investigation's last event: the stream ends after it. */
  readonly final: boolean;
}

const TERMINAL = new Set(['complete', 'error', 'cancelled']);

/**
 * The SSE message as a WebSocket message: the same fields, plus `id` (the resume point), and
 * on anomalies an `anomaly` object, which the seed's JavaScript client reads (`update.anomaly`).
 */
export function investigationMessage(sse: SseMessage): StreamItem {
  const data = sse.data as OutboundMessage;
  const id = Number(sse.id);
  const message: OutboundMessage =
    data.type === 'anomaly' ? { id, ...data, anomaly: anomalyOf(data) } : { id, ...data };
  return { id, message, final: TERMINAL.has(data.type) };
}

function anomalyOf(data: OutboundMessage): Record<string, unknown> {
  const { anomaly_id, anomaly_type, severity, contract_id, details } = data;
  return { anomaly_id, anomaly_type, severity, contract_id, details };
}

/** An investigation's messages after `afterId`, ending after its terminal event; 404 for a viewer who may not see it. */
export function investigationItems(
  investigations: InvestigationsService,
  investigationId: string,
  viewer: Principal,
): (afterId: number) => Observable<StreamItem> {
  return (afterId) =>
    defer(() => from(investigations.events(investigationId, afterId, viewer))).pipe(
      mergeMap((events$) => events$),
      map(investigationMessage),
    );
}

/**
 * A chat session's events (the SSE chat shapes) after `afterId`, once `authorize` resolved
 * (each start and resume asks again); a session never ends.
 */
export function chatWireItems(
  store: EventStore,
  feed: LiveFeed,
  sessionId: string,
  authorize: () => Promise<unknown>,
): (afterId: number) => Observable<StreamItem> {
  return (afterId) =>
    defer(authorize).pipe(
      mergeMap(() =>
        toWire(catchUpThenLive(store, feed, chatStreamId(sessionId), afterId).pipe(decodeWith(chatEventCatalog))),
      ),
      map((sse) => ({
        id: Number(sse.id),
        message: { id: Number(sse.id), ...(sse.data as OutboundMessage) },
        final: false,
      })),
    );
}

/** A chat session's stored events after `afterId`, for endpoints that shape them per connection. */
export function chatEvents(
  store: EventStore,
  feed: LiveFeed,
  sessionId: string,
): (afterId: number) => Observable<{ readonly id: number; readonly event: Stored<ChatEvent> }> {
  return (afterId) =>
    catchUpThenLive(store, feed, chatStreamId(sessionId), afterId).pipe(
      decodeWith(chatEventCatalog),
      map((event) => ({ id: event.revision, event })),
    );
}
