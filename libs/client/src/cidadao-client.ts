import { apiErrorOf } from './client-errors.js';
import { resumableStream, type StreamMessage, type StreamOptions } from './resumable-stream.js';
import type {
  AuditExportQuery,
  AuditExportRecord,
  CloudEvent,
  EventFeedQuery,
  InvestigationSummary,
  InvestigationWireEvent,
  StartedInvestigation,
  StartInvestigationRequest,
} from './wire-types.js';

export interface CidadaoClientOptions {
  /** e.g. `http://localhost:8000` */
  readonly baseUrl: string;
  /** A bearer token, or a function asked before every request (so a refreshed token is used on reconnect). */
  readonly token?: string | (() => string | Promise<string>);
  readonly fetch?: typeof fetch;
}

const TERMINAL = new Set(['complete', 'error', 'cancelled']);

/**
 * Typed client of the streaming API for integrators (Node 18+ and browsers: fetch only).
 * Its streams resume by themselves: see resumableStream.
 */
export class CidadaoClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: CidadaoClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Resolves once the command is durably accepted (202); the same idempotency key never starts two. */
  startInvestigation(
    request: StartInvestigationRequest,
    { idempotencyKey }: { idempotencyKey?: string } = {},
  ): Promise<StartedInvestigation> {
    return this.json(
      'POST',
      '/api/v1/investigations',
      request,
      idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {},
    );
  }

  getInvestigation(id: string): Promise<InvestigationSummary> {
    return this.json('GET', `/api/v1/investigations/${encodeURIComponent(id)}`);
  }

  cancelInvestigation(id: string, reason?: string): Promise<{ investigation_id: string; status: string }> {
    return this.json(
      'POST',
      `/api/v1/investigations/${encodeURIComponent(id)}/cancel`,
      reason === undefined ? {} : { reason },
    );
  }

  /** Every event of the investigation once, in order, until complete, error or cancelled. */
  investigationEvents(id: string, options: StreamOptions = {}): AsyncGenerator<StreamMessage<InvestigationWireEvent>> {
    return resumableStream(
      {
        open: (lastEventId, signal) =>
          this.openStream(`/api/v1/investigations/stream/${encodeURIComponent(id)}`, lastEventId, signal),
        parse: (data) => JSON.parse(data) as InvestigationWireEvent,
        isTerminal: (event) => TERMINAL.has(event.type),
        interruption: () => null,
      },
      options,
    );
  }

  /** The downstream feed (auditor, admin): every stored event as a CloudEvent, resumable by global position. */
  events(query: EventFeedQuery = {}, options: StreamOptions = {}): AsyncGenerator<StreamMessage<CloudEvent>> {
    const params = new URLSearchParams();
    if (query.categories?.length) params.set('category', query.categories.join(','));
    if (query.types?.length) params.set('type', query.types.join(','));
    const path = `/api/v1/events/stream${params.size > 0 ? `?${params}` : ''}`;
    return resumableStream(
      {
        open: (lastEventId, signal) => this.openStream(path, lastEventId, signal),
        parse: (data) => JSON.parse(data) as CloudEvent | { type: 'error'; retry_after?: number },
        isTerminal: () => false,
        // The feed never ends; an error message means "reconnect after retry_after".
        interruption: (message) => ('specversion' in message ? null : (message.retry_after ?? 1)),
      },
      options,
    ) as AsyncGenerator<StreamMessage<CloudEvent>>;
  }

  /** The audit log (auditor, admin), one record at a time as the server streams it. */
  async *auditRecords(query: AuditExportQuery = {}, signal?: AbortSignal): AsyncGenerator<AuditExportRecord> {
    const params = new URLSearchParams({ ...query, format: 'ndjson' });
    const response = await this.request('GET', `/api/v1/audit/export?${params}`, undefined, {}, signal);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line !== '') yield JSON.parse(line) as AuditExportRecord;
    }
  }

  verifyAudit(): Promise<{
    valid: boolean;
    records_checked: number;
    first_broken: { seq: number; reason: string; expected: string; actual: string } | null;
    latest_checkpoint: { seq: number; hash: string; at: string; key_id: string } | null;
    anchored_through: number;
  }> {
    return this.json('GET', '/api/v1/audit/verify');
  }

  private openStream(path: string, lastEventId: string | undefined, signal: AbortSignal): Promise<Response> {
    return this.raw(
      'GET',
      path,
      undefined,
      { Accept: 'text/event-stream', ...(lastEventId === undefined ? {} : { 'Last-Event-ID': lastEventId }) },
      signal,
    );
  }

  private async json<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    return (await (await this.request(method, path, body, headers)).json()) as T;
  }

  private async request(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Response> {
    const response = await this.raw(method, path, body, headers, signal);
    if (!response.ok) throw await apiErrorOf(response);
    return response;
  }

  private async raw(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Response> {
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
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
