import { describe, expect, it } from '@jest/globals';
import type { InvestigationWireEvent } from '@cidadao-ai/client';
import { EMPTY_VIEW, evolveView, type InvestigationView } from './investigation-model';

const base = { investigation_id: 'i1', timestamp: '2026-01-01T00:00:00Z' };
const anomaly = (anomalyId: string, severity: 'low' | 'critical'): InvestigationWireEvent => ({
  ...base,
  type: 'anomaly',
  anomaly_id: anomalyId,
  anomaly_type: 'price_deviation',
  severity,
  contract_id: 'c1',
  details: { score: 0.9, explanation: 'Preço 4× a mediana.', evidence: { value: 1200, category: 'saúde' } },
});

function fold(events: ReadonlyArray<[string, InvestigationWireEvent]>): InvestigationView {
  return events.reduce((view, [id, event]) => evolveView(view, id, event), EMPTY_VIEW);
}

describe('the investigation view folded from the wire events', () => {
  it('shows progress, phase and anomalies, the most severe first, with value and evidence', () => {
    const view = fold([
      [
        '1',
        {
          ...base,
          type: 'progress',
          progress: 10,
          current_phase: 'data_retrieval',
          records_processed: 100,
          anomalies_detected: 0,
        },
      ],
      ['2', anomaly('a', 'low')],
      ['3', anomaly('b', 'critical')],
      ['4', { ...base, type: 'complete', total_anomalies: 2, records_processed: 800, execution_time: '4.2s' }],
    ]);
    expect(view.anomalies.map((row) => row.anomalyId)).toEqual(['b', 'a']);
    expect(view.anomalies[0]).toMatchObject({
      value: 1200,
      explanation: 'Preço 4× a mediana.',
      evidence: { category: 'saúde' },
    });
    expect(view).toMatchObject({ progress: 100, records: 800, outcome: { kind: 'completed', total: 2, time: '4.2s' } });
  });

  it('adds no row twice when a resumed or replayed stream repeats events or anomaly ids', () => {
    const view = fold([
      ['1', anomaly('a', 'low')],
      ['2', anomaly('b', 'low')],
      ['1', anomaly('a', 'low')],
      ['2', anomaly('b', 'low')],
      ['3', anomaly('a', 'low')],
    ]);
    expect(view.anomalies.map((row) => row.anomalyId)).toEqual(['a', 'b']);
    expect(view.lastEventId).toBe(3);
  });

  it("charts Anita's trends page by page, the latest page's replacing the one before", () => {
    const trends = (page: number, months: [string, number][]): InvestigationWireEvent => ({
      ...base,
      type: 'trends',
      page,
      months: months.map(([month, value]) => ({ month, value, count: 1 })),
      total_contracts: page * 100,
      total_value: months.reduce((sum, [, value]) => sum + value, 0),
      summary: `página ${page}`,
    });
    const first = fold([['5', trends(1, [['2024-01', 10]])]]);
    expect(first.trends).toEqual({ page: 1, months: [{ month: '2024-01', value: 10 }], summary: 'página 1' });
    const second = evolveView(
      first,
      '9',
      trends(2, [
        ['2024-01', 25],
        ['2024-02', 5],
      ]),
    );
    expect(second.trends?.months).toEqual([
      { month: '2024-01', value: 25 },
      { month: '2024-02', value: 5 },
    ]);
    expect(second.trends?.page).toBe(2);
  });
});
