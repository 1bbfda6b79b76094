import { describe, expect, it } from '@jest/globals';
import type { Contract } from '../model/contract.model.js';
import { createAnalysisSession } from '../session/analysis.session.js';
import { contracts } from '../testing/contract.fixture.js';

const run = (cs: Contract[]) => {
  const s = createAnalysisSession({ detectors: ['temporal_pattern'] });
  return [...s.feed(cs), ...s.finish()];
};
const date = (month: number, day = 10): string =>
  `2024-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
/** n contracts of one buyer spread evenly over the twelve months. */
const even = (buyer: string, n: number) =>
  contracts(n, (i) => ({ id: `${buyer}-${i}`, buyer, date: date((i % 12) + 1) }));
const baseline = () => Array.from({ length: 15 }, (_, b) => even(`B${b}`, 60)).flat();

describe('temporal_pattern', () => {
  it('flags a year-end rush against the calendar of the other buyers', () => {
    const rush = contracts(60, (i) => ({
      id: `rush-${i}`,
      buyer: 'R',
      date: i < 30 ? date(12, 1 + (i % 28)) : date((i % 11) + 1),
    }));
    const found = run([...baseline(), ...rush]);
    expect(found).toHaveLength(1);
    expect(found[0]?.evidence).toMatchObject({ unidade_gestora: 'R', pattern: 'year_end_rush', month: '2024-12' });
    expect(found[0]?.explanation).toMatch(/dezembro de 2024.*corrida de fim de exercício/);
  });

  it('flags a spike in an ordinary month', () => {
    const spike = contracts(60, (i) => ({ id: `sp-${i}`, buyer: 'S', date: i < 25 ? date(4) : date((i % 12) + 1) }));
    const found = run([...baseline(), ...spike]);
    expect(found.map((a) => [a.evidence['unidade_gestora'], a.evidence['pattern'], a.evidence['month']])).toEqual([
      ['S', 'monthly_spike', '2024-04'],
    ]);
  });

  it('is silent for an even calendar, missing dates and small buyers', () => {
    const undated = contracts(50, (i) => ({ id: `u-${i}`, buyer: 'U', date: null }));
    const small = contracts(10, (i) => ({ id: `sm-${i}`, buyer: 'SM', date: date(12) }));
    expect(run([...baseline(), ...undated, ...small])).toEqual([]);
  });

  it('does not judge a single buyer seen over a few months only', () => {
    const quarter = contracts(90, (i) => ({ id: `q-${i}`, buyer: 'Q', date: date(1 + (i % 3)) }));
    expect(run(quarter)).toEqual([]);
  });
});
