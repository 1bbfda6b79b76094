import {
  backoffDelay,
  CidadaoApiError,
  sleep,
  type InvestigationListPage,
  type StreamMessage,
  type StreamOptions,
} from '@cidadao-ai/client';
import { api } from '../api';
import { changeOfListItem, type RowChange } from './list-row';

/** Rows per page, the first read before following the list live and each one "load more" adds. */
export const LIST_PAGE_SIZE = 50;

/** Changes to apply, and where the next (older) page starts when this batch is a page. */
export interface ListBatch {
  readonly changes: readonly RowChange[];
  readonly nextCursor?: string | null;
}

/** A refusal is an answer; anything else (network, 5xx, 429) is worth another try. */
const retryable = (error: unknown): boolean =>
  !(error instanceof CidadaoApiError) || error.status === 429 || error.status >= 500;

/** The first page, tried again with backoff (each failure told through onReconnect) until it comes or is refused. */
async function firstPage(options: StreamOptions): Promise<InvestigationListPage> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api().listInvestigations({ limit: LIST_PAGE_SIZE }, options.signal);
    } catch (error) {
      if (options.signal?.aborted || !retryable(error)) throw error;
      const asked = error instanceof CidadaoApiError ? error.retryAfterSeconds : null;
      const delayMs = backoffDelay(attempt, options, asked === null ? null : asked * 1000);
      options.onReconnect?.({ attempt, lastEventId: undefined, delayMs, cause: error });
      if (!(await sleep(delayMs, options.signal))) throw error;
    }
  }
}

/**
 * The investigations list, for every role: the first page of GET /api/v1/investigations
 * (newest first) as one batch (even an empty one: the list is read), then its stream from that
 * page's position, one batch per event, so no change after that page is missed; older pages on
 * demand (`olderPage`). The server decides what the caller sees (viewers and analysts their
 * own, from any browser; auditors and admins everyone's), so it is opened once, before the
 * caller's roles are known as after.
 */
export async function* listChanges(options: StreamOptions): AsyncGenerator<StreamMessage<ListBatch>> {
  let lastEventId = options.lastEventId;
  if (lastEventId === undefined) {
    const page = await firstPage(options);
    lastEventId = String(page.last_event_id);
    yield { id: undefined, message: { changes: page.items.map(changeOfListItem), nextCursor: page.next_cursor } };
  }
  for await (const { id, message } of api().investigationChanges({}, { ...options, lastEventId }))
    yield { id, message: { changes: [changeOfListItem(message)] } };
}

/** The page after `cursor`: older rows than those already shown. */
export async function olderPage(cursor: string, signal?: AbortSignal): Promise<ListBatch> {
  const page = await api().listInvestigations({ limit: LIST_PAGE_SIZE, cursor }, signal);
  return { changes: page.items.map(changeOfListItem), nextCursor: page.next_cursor };
}
