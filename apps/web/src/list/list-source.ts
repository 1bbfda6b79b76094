import type { StreamMessage, StreamOptions } from '@cidadao-ai/client';
import { api } from '../api';
import type { RowChange } from './list-row';
import { merge } from './merge';
import { changeOfCloudEvent, changeOfWireEvent } from './row-changes';

/**
 * Where the investigations list comes from. Today: the event feed for those who may read it
 * (auditors, admins), else the investigations started in this browser. The list endpoint
 * (GET /api/v1/investigations + its stream) replaces both here, and nowhere else.
 */
export interface ListSource {
  readonly kind: 'feed' | 'local';
  open(options: StreamOptions): AsyncIterable<StreamMessage<RowChange>>;
}

const LOCAL_KEY = 'cidadao.investigations';

export function rememberInvestigation(id: string): void {
  const ids = localIds().filter((known) => known !== id);
  localStorage.setItem(LOCAL_KEY, JSON.stringify([id, ...ids].slice(0, 50)));
}

function localIds(): string[] {
  try {
    const ids: unknown = JSON.parse(localStorage.getItem(LOCAL_KEY) ?? '[]');
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

async function* feedChanges(options: StreamOptions): AsyncGenerator<StreamMessage<RowChange>> {
  for await (const { id, message } of api().events({ categories: ['investigation'] }, options)) {
    const change = changeOfCloudEvent(message);
    if (change) yield { id, message: change };
  }
}

async function* oneInvestigation(id: string, options: StreamOptions): AsyncGenerator<StreamMessage<RowChange>> {
  const summary = await api()
    .getInvestigation(id, options.signal)
    .catch(() => null);
  if (!summary) return; // gone, someone else's, or still queued: nothing to list yet
  const set = { query: summary.query, owner: summary.user_id, startedAt: summary.started_at, status: summary.status };
  yield { id: undefined, message: { id, set } };
  for await (const { id: eventId, message } of api().investigationEvents(id, options)) {
    const change = changeOfWireEvent(id, message);
    if (change) yield { id: eventId, message: change };
  }
}

async function* localChanges(options: StreamOptions): AsyncGenerator<StreamMessage<RowChange>> {
  yield* merge(localIds().map((id) => oneInvestigation(id, options)));
}

export function listSource(mayReadFeed: boolean): ListSource {
  return mayReadFeed ? { kind: 'feed', open: feedChanges } : { kind: 'local', open: localChanges };
}
