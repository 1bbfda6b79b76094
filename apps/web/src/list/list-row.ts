import type { InvestigationListItem } from '@cidadao-ai/client';
import type { Severity } from '../investigation/investigation-model';

/** One investigation as the list shows it. */
export interface ListRow {
  readonly id: string;
  readonly query: string;
  readonly status: string;
  readonly phase: string | null;
  readonly progress: number;
  readonly counts: Readonly<Record<Severity, number>>;
  readonly owner: string | null;
  readonly startedAt: string | null;
  /** Revision of the investigation's stream the row reflects: an older state never replaces a newer one. */
  readonly revision: number;
}

/** A change to one row: the fields it sets. */
export interface RowChange {
  readonly id: string;
  readonly set: Partial<Omit<ListRow, 'id'>>;
}

/** One list item (from a page or the stream) as the whole of its row. */
export function changeOfListItem(item: InvestigationListItem): RowChange {
  return {
    id: item.investigation_id,
    set: {
      query: item.query,
      status: item.status,
      phase: item.current_phase,
      progress: item.progress,
      counts: item.anomalies_by_severity,
      owner: item.user_id,
      startedAt: item.started_at,
      revision: item.last_event_id,
    },
  };
}

const NO_COUNTS: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };

export function applyChange(rows: ReadonlyMap<string, ListRow>, change: RowChange): ReadonlyMap<string, ListRow> {
  const before: ListRow = rows.get(change.id) ?? {
    id: change.id,
    query: '',
    status: 'queued',
    phase: null,
    progress: 0,
    counts: NO_COUNTS,
    owner: null,
    startedAt: null,
    revision: -1,
  };
  if (change.set.revision !== undefined && change.set.revision < before.revision) return rows;
  const next = new Map(rows);
  next.set(change.id, { ...before, ...change.set });
  return next;
}

/** Status and free text (query, owner, id), newest first. */
export function visibleRows(rows: ReadonlyMap<string, ListRow>, status: string, text: string): ListRow[] {
  const needle = text.trim().toLocaleLowerCase('pt-BR');
  return [...rows.values()]
    .filter((row) => status === '' || row.status === status)
    .filter(
      (row) =>
        needle === '' ||
        [row.query, row.owner ?? '', row.id].some((field) => field.toLocaleLowerCase('pt-BR').includes(needle)),
    )
    .sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
}
