import { describe, expect, it } from '@jest/globals';
import type { Contract } from '../model/contract.model.js';
import { createAnalysisSession } from '../session/analysis.session.js';
import { contracts } from '../testing/contract.fixture.js';

const run = (cs: Contract[]) => {
  const s = createAnalysisSession({ detectors: ['vendor_concentration'] });
  const streamed = s.feed(cs);
  return { streamed, final: s.finish() };
};
const diverse = (buyer: string, n: number) =>
  contracts(n, (i) => ({ id: `${buyer}-${i}`, buyer, vendor: `V${i % 10}`, value: 50_000 }));

describe('vendor_concentration', () => {
  it('flags a buyer whose spend goes mostly to one vendor, once the data is complete', () => {
    const captured = contracts(20, (i) => ({
      id: `cap-${i}`,
      buyer: 'B1',
      vendor: i < 18 ? 'X' : `V${i}`,
      value: 40_000,
    }));
    const { streamed, final } = run([...captured, ...diverse('B2', 30)]);
    expect(streamed).toEqual([]);
    expect(final).toHaveLength(1);
    expect(final[0]?.evidence).toMatchObject({
      unidade_gestora: 'B1',
      vendor_cnpj: 'X',
      vendor_contracts: 18,
      buyer_contracts: 20,
    });
    expect(Number(final[0]?.evidence['vendor_share'])).toBeCloseTo(0.9, 5);
    expect(Number(final[0]?.evidence['hhi'])).toBeGreaterThan(8_000);
    expect(final[0]?.contract_ids).toEqual(['cap-1', 'cap-2', 'cap-3', 'cap-4', 'cap-5']);
    expect(final[0]?.explanation).toMatch(/destinou 90,0% .* a um só fornecedor, Fornecedor X \(X\)/);
  });

  it('does not call one huge contract a captured buyer', () => {
    const buyer = contracts(20, (i) => ({
      id: `h-${i}`,
      buyer: 'B1',
      vendor: `V${i}`,
      value: i === 0 ? 10_000_000 : 20_000,
    }));
    expect(run([...buyer, ...diverse('B2', 30)]).final).toEqual([]);
  });

  it('says nothing when the whole data set has a single vendor (a CNPJ filter)', () => {
    const oneVendor = contracts(40, (i) => ({ id: `o-${i}`, buyer: `B${i % 2}`, vendor: 'ONLY' }));
    expect(run(oneVendor).final).toEqual([]);
  });

  it('needs a minimum number of contracts per buyer', () => {
    const small = contracts(5, (i) => ({ id: `s-${i}`, buyer: 'B1', vendor: 'X' }));
    expect(run([...small, ...diverse('B2', 30)]).final).toEqual([]);
  });

  it('ignores contracts without value', () => {
    const zero = contracts(20, (i) => ({ id: `z-${i}`, buyer: 'B1', vendor: 'X', value: 0, finalValue: 0 }));
    expect(run([...zero, ...diverse('B2', 30)]).final).toEqual([]);
  });
});
