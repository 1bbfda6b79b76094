import { describe, expect, it } from '@jest/globals';
import type { CloudEvent } from '@cidadao-ai/client';
import { applyChange, visibleRows, type ListRow } from './list-row';
import { changeOfCloudEvent } from './row-changes';

const cloud = (id: string, type: string, data: unknown, position: number): CloudEvent => ({
  specversion: '1.0',
  id: `e${position}`,
  source: '/cidadao-ai/investigations',
  type: `br.gov.cidadao-ai.investigation.${type}`,
  subject: `investigation-${id}`,
  time: '2026-01-01T10:00:00Z',
  datacontenttype: 'application/json',
  data,
  position,
  revision: position,
  correlationid: 'c',
  causationid: 'k',
  userid: 'ana',
});

function listOf(events: readonly CloudEvent[]): ReadonlyMap<string, ListRow> {
  return events.reduce<ReadonlyMap<string, ListRow>>((rows, event) => {
    const change = changeOfCloudEvent(event);
    return change ? applyChange(rows, change) : rows;
  }, new Map());
}

describe('the investigations list folded from the event feed', () => {
  const rows = listOf([
    cloud('a', 'InvestigationStarted', { query: 'Saúde em Manaus', startedAt: '2026-01-01T10:00:00Z' }, 1),
    cloud('b', 'InvestigationStarted', { query: 'Educação', startedAt: '2026-01-02T10:00:00Z' }, 2),
    cloud('a', 'ProgressReported', { progress: 40, currentPhase: 'analyzing_contracts' }, 3),
    cloud('a', 'AnomalyDetected', { anomaly: { severity: 'critical' } }, 4),
    cloud('a', 'AnomalyDetected', { anomaly: { severity: 'low' } }, 5),
    cloud('b', 'InvestigationCompleted', {}, 6),
    cloud('b', 'TrendsAnalyzed', {}, 7),
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
