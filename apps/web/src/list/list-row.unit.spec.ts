import { describe, expect, it } from '@jest/globals';
import type { InvestigationListItem } from '@cidadao-ai/client';
import { applyChange, changeOfListItem, visibleRows, type ListRow } from './list-row';

const NONE = { critical: 0, high: 0, medium: 0, low: 0 };
const item = (id: string, revision: number, fields: Partial<InvestigationListItem>): InvestigationListItem => ({
  investigation_id: id,
  query: '',
  status: 'running',
  current_phase: null,
  progress: 0,
  anomalies_by_severity: NONE,
  started_at: null,
  completed_at: null,
  user_id: 'ana',
  last_event_id: revision,
  ...fields,
});

function listOf(items: readonly InvestigationListItem[]): ReadonlyMap<string, ListRow> {
  return items.reduce<ReadonlyMap<string, ListRow>>((rows, i) => applyChange(rows, changeOfListItem(i)), new Map());
}

describe('the investigations list from the list endpoint and its stream', () => {
  const a = { query: 'Saúde em Manaus', started_at: '2026-01-01T10:00:00Z' };
  const b = { query: 'Educação', started_at: '2026-01-02T10:00:00Z' };
  const rows = listOf([
    item('a', 1, a),
    item('b', 1, b),
    item('a', 3, { ...a, progress: 40, current_phase: 'analyzing_contracts' }),
    item('a', 5, {
      ...a,
      progress: 40,
      current_phase: 'analyzing_contracts',
      anomalies_by_severity: { ...NONE, critical: 1, low: 1 },
    }),
    item('b', 6, { ...b, status: 'completed', progress: 100 }),
    // A page read before that change, arriving after it, changes nothing.
    item('a', 2, { ...a, progress: 10 }),
  ]);

  it('keeps status, phase, progress, owner and anomaly counts by severity per investigation', () => {
    expect(rows.get('a')).toMatchObject({
      query: 'Saúde em Manaus',
      status: 'running',
      phase: 'analyzing_contracts',
      progress: 40,
      owner: 'ana',
      counts: { critical: 1, high: 0, medium: 0, low: 1 },
    });
    expect(rows.get('b')).toMatchObject({ status: 'completed', progress: 100 });
  });

  it('filters by status and by text in any case, newest first', () => {
    expect(visibleRows(rows, '', '').map((r) => r.id)).toEqual(['b', 'a']);
    expect(visibleRows(rows, 'running', '').map((r) => r.id)).toEqual(['a']);
    expect(visibleRows(rows, '', 'SAÚDE').map((r) => r.id)).toEqual(['a']);
    expect(visibleRows(rows, 'completed', 'saúde')).toEqual([]);
  });
});
