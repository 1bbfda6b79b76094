import { describe, expect, it } from '@jest/globals';
import { createAnalysisSession } from '../session/analysis.session.js';
import { contract, type ContractSpec } from '../testing/contract.fixture.js';

const base: ContractSpec = {
  id: 'a',
  objeto: 'Aquisição de medicamentos: dipirona sódica 500mg',
  value: 80_000,
  date: '2024-03-01',
  vendor: 'V1',
  buyer: 'B1',
};
const pair = (other: Partial<ContractSpec>) => {
  const s = createAnalysisSession({ detectors: ['duplicate_contract'] });
  return [
    ...s.feed([contract(base), contract({ ...base, id: 'b', date: '2024-03-06', value: 80_800, ...other })]),
    ...s.finish(),
  ];
};

describe('duplicate_contract', () => {
  it('flags a re-registration as soon as the second contract arrives', () => {
    const s = createAnalysisSession({ detectors: ['duplicate_contract'] });
    expect(s.feed([contract(base)])).toEqual([]);
    const found = s.feed([contract({ ...base, id: 'b', date: '2024-03-06', value: 80_800 })]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ contract_id: 'b', contract_ids: ['b', 'a'] });
    expect(found[0]?.evidence).toMatchObject({ jaccard: 1, days_apart: 5, value_gap_pct: 0.99 });
  });

  it('sees through case and punctuation changes in the objeto', () => {
    expect(pair({ objeto: 'AQUISIÇÃO DE MEDICAMENTOS - DIPIRONA SÓDICA 500MG' })).toHaveLength(1);
  });

  it.each<[string, Partial<ContractSpec>]>([
    ['another vendor', { vendor: 'V2' }],
    ['another buyer', { buyer: 'B2' }],
    ['dates too far apart', { date: '2024-05-01' }],
    ['values too far apart', { value: 95_000 }],
    ['a different objeto', { objeto: 'Aquisição de medicamentos: amoxicilina 500mg' }],
    ['a missing date', { date: null }],
    ['a zero value', { value: 0 }],
  ])('does not flag %s', (_, other) => {
    expect(pair(other)).toEqual([]);
  });

  it('reports a third copy with both earlier contracts, without repeating the first pair', () => {
    const s = createAnalysisSession({ detectors: ['duplicate_contract'] });
    const found = s.feed([
      contract(base),
      contract({ ...base, id: 'b', date: '2024-03-05' }),
      contract({ ...base, id: 'c', date: '2024-03-09' }),
    ]);
    expect(found.map((a) => a.contract_ids)).toEqual([
      ['b', 'a'],
      ['c', 'a', 'b'],
    ]);
  });
});
