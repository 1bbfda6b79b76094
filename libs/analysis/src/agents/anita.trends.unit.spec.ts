import { describe, expect, it } from '@jest/globals';
import { contract } from '../testing/contract.fixture.js';
import { analyzeTrends, createTrendAccumulator } from './anita.trends.js';

const sample = [
  contract({ id: '1', date: '2024-01-15', value: 100 }),
  contract({ id: '2', date: '2024-01-20', value: 100 }),
  contract({ id: '3', date: '2024-03-02', value: 300 }),
  contract({ id: '4', date: '2024-12-05', value: 600 }),
  contract({ id: '5', date: null, value: 50 }),
];

describe('Anita trends', () => {
  it('builds the monthly series with growth, peak and December share', () => {
    const report = analyzeTrends(sample);
    expect(report.months).toHaveLength(12);
    expect(report.months.slice(0, 3)).toEqual([
      { month: '2024-01', count: 2, value: 200, valueGrowth: null, countGrowth: null },
      { month: '2024-02', count: 0, value: 0, valueGrowth: -1, countGrowth: -1 },
      { month: '2024-03', count: 1, value: 300, valueGrowth: null, countGrowth: null },
    ]);
    expect(report.peakMonth).toEqual({ month: '2024-12', value: 600, count: 1 });
    expect(report.decemberShare).toBeCloseTo(600 / 1100, 4);
    expect(report).toMatchObject({ totalContracts: 5, totalValue: 1150, undatedContracts: 1 });
    expect(report.summary).toMatch(/pico em dezembro de 2024/);
  });

  it('gives the same report fed batch by batch', () => {
    const accumulator = createTrendAccumulator();
    accumulator.add(sample.slice(0, 2));
    accumulator.add(sample.slice(2));
    expect(analyzeTrends(accumulator)).toEqual(analyzeTrends(sample));
  });

  it('reads the direction of the series', () => {
    const rising = Array.from({ length: 6 }, (_, m) =>
      contract({ id: `r${m}`, date: `2024-0${m + 1}-10`, value: 100 * (m + 1) }),
    );
    expect(analyzeTrends(rising).direction).toBe('crescente');
    const flat = rising.map((c) => ({ ...c, valorInicialCompra: 100, valorFinalCompra: 100 }));
    expect(analyzeTrends(flat).direction).toBe('estável');
  });

  it('handles no data at all', () => {
    const report = analyzeTrends([]);
    expect(report).toMatchObject({
      months: [],
      peakMonth: null,
      decemberShare: null,
      direction: 'indefinida',
      totalContracts: 0,
    });
    expect(report.summary).toBe('Nenhum contrato analisado.');
  });
});
