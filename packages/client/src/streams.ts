import type { StreamKind } from './resumable-stream.js';
import type {
  ChatWireEvent,
  CloudEvent,
  InvestigationListWireEvent,
  InvestigationWireEvent,
} from './wire-types.generated.js';

/** Where one stream is served, per transport; a stream without a WebSocket form has none. */
export interface StreamRoute<T> extends StreamKind<T> {
  /** The SSE path, from the API's root. */
  readonly sse: string;
  /** The raw WebSocket path. */
  readonly webSocket?: string;
  /** The Socket.IO namespace and what identifies the stream in its `auth`. */
  readonly socketIo?: { readonly namespace: string; readonly auth: Readonly<Record<string, string>> };
}

const enc = encodeURIComponent;
const INVESTIGATION_END = new Set<string>(['complete', 'error', 'cancelled']);
const never = (): boolean => false;

/**
 * Every stream the API serves, by name: the client's `stream(name, …)` and its shorthand
 * methods read this table, so a new endpoint is one entry here.
 */
export const STREAMS = {
  /** One investigation, history then live, until complete, error or cancelled. */
  investigation: (id: string): StreamRoute<InvestigationWireEvent> => ({
    sse: `/api/v1/investigations/stream/${enc(id)}`,
    webSocket: `/api/v1/ws/investigations/${enc(id)}`,
    socketIo: { namespace: '/investigations', auth: { investigationId: id } },
    isTerminal: (event) => INVESTIGATION_END.has(event.type),
  }),
  /**
   * A chat session's answers, over SSE, where the server ends the stream once every answer
   * is complete. (The chat sockets speak the participant protocol instead: history,
   * user_message, agent_response; see the AsyncAPI document.)
   */
  chat: (sessionId: string): StreamRoute<ChatWireEvent> => ({
    sse: `/api/v1/chat/sessions/${enc(sessionId)}/stream`,
    isTerminal: never,
    endsOnClose: (last) => last?.type === 'complete' || last?.type === 'error',
  }),
  /**
   * The investigations list live: each change to a summary the caller may see, as its list
   * item in its latest state; never ends. Resume with a list page's last_event_id.
   */
  investigations: (query: InvestigationChangesQuery = {}): StreamRoute<InvestigationListWireEvent> => ({
    sse: `/api/v1/investigations/stream${queryOf({ owner: query.owner === undefined ? undefined : [query.owner] })}`,
    isTerminal: never,
  }),
  /** The downstream feed: every stored event as a CloudEvent, by global position; never ends. */
  events: (query: EventFeedQuery = {}): StreamRoute<CloudEvent> => ({
    sse: `/api/v1/events/stream${queryOf({ category: query.categories, type: query.types })}`,
    isTerminal: never,
  }),
  /**
   * Several streams on one SSE connection, named as in `?subscribe=`: `investigation:<id>`,
   * `chat:<session id>`, `investigations`, `events`. Each event is its stream's own with a
   * `stream` field; the resume id is a cursor of every stream. Never ends.
   */
  multiplexed: (names: readonly string[]): StreamRoute<MultiplexedEvent> => ({
    sse: `/api/v1/streams?subscribe=${names.map(enc).join(',')}`,
    isTerminal: never,
  }),
} as const;

export type StreamName = keyof typeof STREAMS;

/** The connection's own event on GET /api/v1/streams: first, and after each change through `control_url`. */
export interface StreamSubscriptions {
  readonly type: 'subscriptions';
  readonly connection_id: string;
  readonly control_url: string;
  readonly streams: readonly string[];
}

/** An event of GET /api/v1/streams: a stream's own event tagged with its `stream`, or the connection's own. */
export type MultiplexedEvent =
  | ({ readonly stream: string } & (InvestigationWireEvent | ChatWireEvent | InvestigationListWireEvent | CloudEvent))
  | StreamSubscriptions;

/** Query of GET /api/v1/investigations/stream: one owner's (auditors and admins; the others see their own). */
export interface InvestigationChangesQuery {
  readonly owner?: string;
}

/** Query of GET /api/v1/investigations, newest first. */
export interface ListInvestigationsQuery extends InvestigationChangesQuery {
  readonly status?: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  /** Started at or after: YYYY-MM-DD or ISO-8601 with offset. */
  readonly since?: string;
  /** Started before. */
  readonly until?: string;
  /** Text the query contains, case-insensitive. */
  readonly q?: string;
  /** 1-100, 20 by default. */
  readonly limit?: number;
  /** The previous page's next_cursor. */
  readonly cursor?: string;
}

/** Query of GET /api/v1/events/stream. */
export interface EventFeedQuery {
  readonly categories?: readonly string[];
  readonly types?: readonly string[];
}

function queryOf(values: Readonly<Record<string, readonly string[] | undefined>>): string {
  const params = new URLSearchParams();
  for (const [name, list] of Object.entries(values)) if (list?.length) params.set(name, list.join(','));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
