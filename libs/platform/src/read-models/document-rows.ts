import type { DocumentIndex, DocumentQuery, DocumentWrite, StoredDocument } from '#eventsourcing';

/** A row of read_model_documents as both SQL adapters read it back. */
export interface DocumentRow {
  readonly collection: string;
  readonly id: string;
  readonly owner: string | null;
  readonly status: string | null;
  /** '' stands for no sort time: NULL would escape the keyset comparisons. */
  readonly sort_at: string;
  readonly search: string | null;
  readonly position: number | string;
  readonly doc: unknown;
}

export const DOCUMENT_COLUMNS = 'collection, id, owner, status, sort_at, search, position, doc';

/** `doc` is what a projection of this collection wrote: its own type, as JSON round-trips it. */
export function toStoredDocument<Doc>(row: DocumentRow, doc: unknown): StoredDocument<Doc> {
  const index: DocumentIndex = {
    owner: row.owner,
    status: row.status,
    sortAt: row.sort_at === '' ? null : row.sort_at,
    search: row.search,
  };
  return { collection: row.collection, id: row.id, doc: doc as Doc, index, position: Number(row.position) };
}

/** The column values of a write, in DOCUMENT_COLUMNS order, the document as JSON text. */
export const documentValues = (write: DocumentWrite): unknown[] => [
  write.collection,
  write.id,
  write.index.owner,
  write.index.status,
  write.index.sortAt ?? '',
  write.index.search,
  write.position,
  JSON.stringify(write.doc),
];

/**
 * The WHERE and ORDER BY of a list query. `param` adds a value and returns its placeholder;
 * `contains` says how the dialect finds a literal substring (no LIKE: % and _ are text).
 */
export function listClauses(
  query: DocumentQuery,
  param: (value: unknown) => string,
  contains: (column: string, needle: string) => string,
): string {
  const where = [`collection = ${param(query.collection)}`];
  if (query.owner !== undefined) where.push(`owner = ${param(query.owner)}`);
  if (query.status !== undefined) where.push(`status = ${param(query.status)}`);
  if (query.since !== undefined) where.push(`sort_at >= ${param(query.since)}`);
  if (query.until !== undefined) where.push(`sort_at < ${param(query.until)}`);
  if (query.text !== undefined) where.push(contains('search', param(query.text)));
  const oldest = query.order === 'oldest';
  if (query.after) {
    const { sortAt, id } = query.after;
    const past = oldest ? '>' : '<';
    // Each value its own placeholder: SQLite's `?` cannot be referred to twice.
    where.push(`(sort_at ${past} ${param(sortAt)} OR (sort_at = ${param(sortAt)} AND id ${past} ${param(id)}))`);
  }
  const direction = oldest ? 'ASC' : 'DESC';
  return `WHERE ${where.join(' AND ')} ORDER BY sort_at ${direction}, id ${direction} LIMIT ${param(query.limit)}`;
}
