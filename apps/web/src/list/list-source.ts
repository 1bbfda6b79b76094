import type { StreamMessage, StreamOptions } from '@cidadao-ai/client';
import { api } from '../api';
import { changeOfListItem, type RowChange } from './list-row';

/** Rows read before following the list live: the newest, a page at a time. */
const PAGE_SIZE = 100;
const MAX_PAGES = 5;

/**
 * Where the investigations list comes from, for every role: GET /api/v1/investigations a
 * page at a time, then its stream from the first page's position, so no change after that
 * page is missed. The server decides what the caller sees: viewers and analysts their own,
 * from any browser; auditors and admins everyone's.
 */
export interface ListSource {
  /** Whether the rows are everyone's or only the caller's. */
  readonly scope: 'all' | 'own';
  /** Changes in batches: a whole page at once (even an empty one: the list is read), then one per event. */
  open(options: StreamOptions): AsyncIterable<StreamMessage<readonly RowChange[]>>;
}

async function* listChanges(options: StreamOptions): AsyncGenerator<StreamMessage<readonly RowChange[]>> {
  let first: number | null = null;
  let cursor: string | null = null;
  for (let pages = 0; pages < MAX_PAGES && (pages === 0 || cursor !== null); pages++) {
    const page = await api().listInvestigations(
      { limit: PAGE_SIZE, ...(cursor === null ? {} : { cursor }) },
      options.signal,
    );
    first ??= page.last_event_id;
    cursor = page.next_cursor;
    yield { id: undefined, message: page.items.map(changeOfListItem) };
  }
  const lastEventId = options.lastEventId ?? String(first ?? 0);
  for await (const { id, message } of api().investigationChanges({}, { ...options, lastEventId }))
    yield { id, message: [changeOfListItem(message)] };
}

export function listSource(seesEveryone: boolean): ListSource {
  return { scope: seesEveryone ? 'all' : 'own', open: listChanges };
}
