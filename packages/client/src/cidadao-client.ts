import { apiErrorOf } from './client-errors.js';
import { resumableStream, type StreamMessage, type StreamOptions, type Transport } from './resumable-stream.js';
import {
  STREAMS,
  type EventFeedQuery,
  type InvestigationChangesQuery,
  type ListInvestigationsQuery,
  type MultiplexedEvent,
  type StreamName,
  type StreamRoute,
} from './streams.js';
import { TokenSource, type GetToken } from './token-source.js';
import { socketIoTransport, type SocketIoConnect } from './transports/socket-io.js';
import { sseTransport } from './transports/sse.js';
import { webSocketTransport, type WebSocketConstructor } from './transports/websocket.js';
import type {
  AuditRecord,
  AuditVerification,
  CancellationAccepted,
  ChatWireEvent,
  CloudEvent,
  CurrentCaller,
  InvestigationAccepted,
  InvestigationPreview,
  InvestigationListPage,
  InvestigationListWireEvent,
  InvestigationSummary,
  InvestigationWireEvent,
  StartInvestigationRequest,
} from './wire-types.generated.js';

export interface CidadaoClientOptions {
  /** e.g. `http://localhost:8000` */
  readonly baseUrl: string;
  /**
   * Returns the bearer token: asked before the first call, shortly before the JWT expires
   * and when the server answers 401 (or closes a socket with 1008).
   */
  readonly getToken?: GetToken;
  /** A fixed token, for scripts; getToken wins when both are given. */
  readonly token?: string;
  readonly fetch?: typeof fetch;
  /** For the `websocket` transport where there is no global WebSocket (Node 20: the `ws` package's). */
  readonly WebSocket?: WebSocketConstructor;
  /** For the `socketio` transport: socket.io-client's `io`. */
  readonly io?: SocketIoConnect;
}

export type TransportName = 'sse' | 'websocket' | 'socketio';

export interface ClientStreamOptions extends StreamOptions {
  /** How to connect; SSE by default. Every transport resumes the same way. */
  readonly transport?: TransportName;
}

export interface AuditExportQuery {
  readonly start_date?: string;
  readonly end_date?: string;
  readonly severity?: 'low' | 'medium' | 'high' | 'critical';
  readonly event_type?: string;
  readonly user_id?: string;
}

type RouteOf<N extends StreamName> = ReturnType<(typeof STREAMS)[N]>;
type MessageOf<N extends StreamName> = RouteOf<N> extends StreamRoute<infer T> ? T : never;

/**
 * Typed client of the streaming API for integrators, in browsers and Node 20+. Its streams
 * resume by themselves after any drop, over SSE, raw WebSocket or Socket.IO alike.
 */
export class CidadaoClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly tokens: TokenSource;

  constructor(private readonly options: CidadaoClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    const fixed = options.token;
    this.tokens = new TokenSource(options.getToken ?? (fixed === undefined ? undefined : () => fixed));
  }

  /**
   * Any stream of the API by name (see STREAMS), e.g. `stream('investigation', [id])`. A
   * transport the stream lacks is an error of the loop's first step.
   */
  async *stream<N extends StreamName>(
    name: N,
    args: Parameters<(typeof STREAMS)[N]>,
    options: ClientStreamOptions = {},
  ): AsyncGenerator<StreamMessage<MessageOf<N>>> {
    const route = (STREAMS[name] as (...a: typeof args) => StreamRoute<MessageOf<N>>)(...args);
    yield* resumableStream(this.transportFor(route, options.transport ?? 'sse'), route, this.tokens, options);
  }

  /** Every event of the investigation once, in order, until complete, error or cancelled. */
  investigationEvents(
    id: string,
    options?: ClientStreamOptions,
  ): AsyncGenerator<StreamMessage<InvestigationWireEvent>> {
    return this.stream('investigation', [id], options);
  }

  /** A chat session's events (SSE); the loop ends once every answer is complete. */
  chatEvents(sessionId: string, options?: ClientStreamOptions): AsyncGenerator<StreamMessage<ChatWireEvent>> {
    return this.stream('chat', [sessionId], options);
  }

  /**
   * The investigations list live (never ends): pass a page's last_event_id as lastEventId to
   * miss no change after that page.
   */
  investigationChanges(
    query: InvestigationChangesQuery = {},
    options?: ClientStreamOptions,
  ): AsyncGenerator<StreamMessage<InvestigationListWireEvent>> {
    return this.stream('investigations', [query], options);
  }

  /** The downstream feed (auditor, admin): every stored event as a CloudEvent, resumable by global position. */
  events(query: EventFeedQuery = {}, options?: ClientStreamOptions): AsyncGenerator<StreamMessage<CloudEvent>> {
    return this.stream('events', [query], options);
  }

  /**
   * Several streams on one connection (GET /api/v1/streams; names as in its `?subscribe=`),
   * every one resumed by one cursor after a drop; never ends.
   */
  multiplexedEvents(
    names: readonly string[],
    options?: ClientStreamOptions,
  ): AsyncGenerator<StreamMessage<MultiplexedEvent>> {
    return this.stream('multiplexed', [names], options);
  }

  /** Resolves once the command is durably accepted (202); the same idempotency key never starts two. */
  startInvestigation(
    request: StartInvestigationRequest,
    { idempotencyKey, signal }: { idempotencyKey?: string; signal?: AbortSignal } = {},
  ): Promise<InvestigationAccepted> {
    const headers: Record<string, string> = idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {};
    return this.json('POST', '/api/v1/investigations', request, headers, signal);
  }

  /** The filters and plan the start route would run with, read from the query; starts nothing. */
  previewInvestigation(request: StartInvestigationRequest, signal?: AbortSignal): Promise<InvestigationPreview> {
    return this.json('POST', '/api/v1/investigations/preview', request, {}, signal);
  }

  getInvestigation(id: string, signal?: AbortSignal): Promise<InvestigationSummary> {
    return this.json('GET', `/api/v1/investigations/${encodeURIComponent(id)}`, undefined, {}, signal);
  }

  /** One page of the investigations the caller may see, newest first; next_cursor fetches the next. */
  listInvestigations(query: ListInvestigationsQuery = {}, signal?: AbortSignal): Promise<InvestigationListPage> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
    const search = params.toString();
    return this.json('GET', `/api/v1/investigations${search === '' ? '' : `?${search}`}`, undefined, {}, signal);
  }

  cancelInvestigation(id: string, reason?: string, signal?: AbortSignal): Promise<CancellationAccepted> {
    const body = reason === undefined ? {} : { reason };
    return this.json('POST', `/api/v1/investigations/${encodeURIComponent(id)}/cancel`, body, {}, signal);
  }

  /** Who the server takes the caller for: user, roles and permissions, as it reads the token. */
  me(signal?: AbortSignal): Promise<CurrentCaller> {
    return this.json('GET', '/api/v1/auth/me', undefined, {}, signal);
  }

  /** The audit log (auditor, admin), one record at a time as the server streams it. */
  async *auditRecords(query: AuditExportQuery = {}, signal?: AbortSignal): AsyncGenerator<AuditRecord> {
    const params = new URLSearchParams({ ...query, format: 'ndjson' });
    const response = await this.request('GET', `/api/v1/audit/export?${params}`, undefined, {}, signal);
    if (!response.body) return;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line !== '') yield JSON.parse(line) as AuditRecord;
    }
  }

  verifyAudit(signal?: AbortSignal): Promise<AuditVerification> {
    return this.json('GET', '/api/v1/audit/verify', undefined, {}, signal);
  }

  private transportFor<T>(route: StreamRoute<T>, name: TransportName): Transport {
    const wsBase = this.baseUrl.replace(/^http/, 'ws');
    if (name === 'sse') return sseTransport(this.fetchFn, `${this.baseUrl}${route.sse}`);
    if (name === 'websocket') {
      const WebSocket = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
      if (!WebSocket) throw new Error('no WebSocket here: pass one (e.g. the ws package) as options.WebSocket');
      if (!route.webSocket) throw new Error(`${route.sse} has no WebSocket endpoint`);
      return webSocketTransport(WebSocket, `${wsBase}${route.webSocket}`);
    }
    if (!this.options.io) throw new Error("the socketio transport needs socket.io-client's io as options.io");
    if (!route.socketIo) throw new Error(`${route.sse} has no Socket.IO namespace`);
    return socketIoTransport(this.options.io, `${this.baseUrl}${route.socketIo.namespace}`, route.socketIo.auth);
  }

  private async json<T>(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    return (await (await this.request(method, path, body, headers, signal)).json()) as T;
  }

  /** One request; a 401 asks for a new token once and tries again. */
  private async request(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    let token = await this.tokens.current();
    let response = await this.send(method, path, body, headers, token, signal);
    if (response.status === 401 && this.tokens.renewable) {
      token = await this.tokens.renew(token);
      response = await this.send(method, path, body, headers, token, signal);
    }
    if (!response.ok) throw await apiErrorOf(response);
    return response;
  }

  private send(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    return this.fetchFn(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
  }
}
