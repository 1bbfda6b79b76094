import { describe, expect, it } from '@jest/globals';
import { createAnalysisSession } from '../session/analysis.session.js';
import { contract, contracts, spread } from '../testing/contract.fixture.js';

const session = () => createAnalysisSession({ detectors: ['price_deviation'] });
const ordinary = (n: number, centre = 20_000) => contracts(n, (i) => ({ id: `c${i}`, value: spread(i, centre) }));

describe('price_deviation', () => {
  it('flags a price far above its category while the data still arrives', () => {
    const s = session();
    expect(s.feed(ordinary(40))).toEqual([]);
    const found = s.feed([contract({ id: 'big', value: 400_000 })]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ anomaly_type: 'price_deviation', contract_id: 'big', contract_ids: ['big'] });
    expect(found[0]?.evidence['ratio_to_median']).toBeGreaterThan(15);
    expect(found[0]?.explanation).toMatch(/vezes a mediana de material de expediente/);
    expect(s.finish()).toEqual([]);
  });

  it('judges contracts seen before the minimum sample at the end, with the final median', () => {
    const s = session();
    const early = [...ordinary(4), contract({ id: 'early-big', value: 500_000 })];
    expect(s.feed(early)).toEqual([]);
    s.feed(contracts(40, (i) => ({ id: `late${i}`, value: spread(i, 20_000) })));
    expect(s.finish().map((a) => a.contract_id)).toEqual(['early-big']);
  });

  it('stays silent with too few contracts in the category', () => {
    const s = session();
    s.feed([...ordinary(10), contract({ id: 'big', value: 5_000_000 })]);
    expect(s.finish()).toEqual([]);
  });

  it('ignores zero, negative and missing values without crashing', () => {
    const s = session();
    const odd = [0, -5, Number.NaN, Number.POSITIVE_INFINITY].map((value, i) => contract({ id: `odd${i}`, value }));
    expect(s.feed([...ordinary(40), ...odd])).toEqual([]);
    expect(s.finish()).toEqual([]);
  });

  it('does not flag a cheap contract nor a small rise over identical prices', () => {
    const s = session();
    const same = contracts(40, (i) => ({ id: `same${i}`, value: 1_000 }));
    const found = s.feed([...same, contract({ id: 'cheap', value: 10 }), contract({ id: 'bit-more', value: 1_050 })]);
    expect(found).toEqual([]);
    expect(s.feed([contract({ id: 'triple', value: 3_000 })]).map((a) => a.contract_id)).toEqual(['triple']);
  });

  it('compares each contract with its own category only', () => {
    const s = session();
    const works = contracts(40, (i) => ({
      id: `obra${i}`,
      objeto: 'Execução de obra de pavimentação de via de acesso',
      value: spread(i, 3_000_000),
    }));
    expect(s.feed([...ordinary(40), ...works])).toEqual([]);
    expect(s.finish()).toEqual([]);
  });
});
