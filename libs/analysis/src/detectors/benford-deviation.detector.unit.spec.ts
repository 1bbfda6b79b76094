import { describe, expect, it } from '@jest/globals';
import type { Contract } from '../model/contract.model.js';
import { createAnalysisSession } from '../session/analysis.session.js';
import { contracts } from '../testing/contract.fixture.js';
import { expectedNoiseMad, firstDigit } from './benford-deviation.detector.js';

const run = (cs: Contract[]) => {
  const s = createAnalysisSession({ detectors: ['benford_deviation'] });
  return { streamed: s.feed(cs), final: s.finish() };
};
/** Log-uniform over three decades: first digits follow Benford's law. */
const conforming = (buyer: string, n: number) =>
  contracts(n, (i) => ({ id: `${buyer}-${i}`, buyer, value: Math.round(10 ** (3 + (3 * (i + 0.5)) / n)) }));
/** Invented values: first digits 5 to 9 only. */
const invented = (buyer: string, n: number) =>
  contracts(n, (i) => ({ id: `${buyer}-${i}`, buyer, value: (5 + (i % 5)) * 10_000 + i }));

describe('benford_deviation', () => {
  it('flags a buyer whose first digits are far from Benford, at the end', () => {
    const { streamed, final } = run([...conforming('OK', 300), ...invented('BAD', 300)]);
    expect(streamed).toEqual([]);
    expect(final).toHaveLength(1);
    expect(final[0]?.evidence).toMatchObject({ unidade_gestora: 'BAD', sample: 300, digit_1_pct: 0 });
    expect(final[0]?.explanation).toMatch(/lei de Benford/);
  });

  it('needs a minimum sample', () => {
    expect(run(invented('BAD', 50)).final).toEqual([]);
  });

  it('ignores zero and tiny values', () => {
    const zeros = contracts(200, (i) => ({ id: `z${i}`, buyer: 'Z', value: i % 2 === 0 ? 0 : 5 }));
    expect(run(zeros).final).toEqual([]);
  });

  it('computes first digits and the sampling noise bound', () => {
    expect([1, 9.99, 10, 99, 100, 1000, 123_456, 999_999.99].map(firstDigit)).toEqual([1, 9, 1, 9, 1, 1, 1, 9]);
    expect(expectedNoiseMad(100)).toBeGreaterThan(expectedNoiseMad(10_000));
    expect(expectedNoiseMad(10_000)).toBeLessThan(0.003);
  });
});
