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
}

/** A change to one row: the fields it sets, and anomalies found since. */
export interface RowChange {
  readonly id: string;
  readonly set?: Partial<Omit<ListRow, 'id' | 'counts'>>;
  readonly anomaly?: Severity;
}

const NO_COUNTS: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };

export function applyChange(rows: ReadonlyMap<string, ListRow>, change: RowChange): Map<string, ListRow> {
  const before: ListRow = rows.get(change.id) ?? {
    id: change.id,
    query: '',
    status: 'queued',
    phase: null,
    progress: 0,
    counts: NO_COUNTS,
    owner: null,
    startedAt: null,
  };
  const counts = change.anomaly
    ? { ...before.counts, [change.anomaly]: before.counts[change.anomaly] + 1 }
    : before.counts;
  const next = new Map(rows);
  next.set(change.id, { ...before, ...change.set, counts });
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
