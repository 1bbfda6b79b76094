import { describe, expect, it } from '@jest/globals';
import type { DetectorOptions } from './detector-options.js';
import { createAnalysisSession } from '../session/analysis.session.js';
import { contract, type ContractSpec } from '../testing/contract.fixture.js';

const dispensa = (id: string, other: Partial<ContractSpec> = {}) =>
  contract({
    id,
    modalidade: 'Dispensa de Licitação',
    value: 40_000,
    date: '2024-04-10',
    buyer: 'B1',
    vendor: id,
    ...other,
  });
const run = (cs: ReturnType<typeof contract>[], options?: DetectorOptions) => {
  const s = createAnalysisSession({ detectors: ['split_purchase'], ...(options ? { options } : {}) });
  return { streamed: s.feed(cs), final: s.finish() };
};

describe('split_purchase', () => {
  it('flags dispensas of one unit and category that together pass the art. 75 cap, once', () => {
    const { streamed, final } = run([
      dispensa('a'),
      dispensa('b', { date: '2024-05-02' }),
      dispensa('c', { date: '2024-06-20' }),
    ]);
    expect(final).toEqual([]);
    expect(streamed).toHaveLength(1);
    expect(streamed[0]?.contract_ids.sort()).toEqual(['a', 'b']);
    expect(streamed[0]?.evidence).toMatchObject({
      unidade_gestora: 'B1',
      year: 2024,
      dispensas: 2,
      total_value: 80_000,
      legal_limit: 59_906.02,
    });
    expect(streamed[0]?.explanation).toMatch(/art\. 75, II/);
  });

  it('uses the higher cap of engineering services (inciso I)', () => {
    const works = { objeto: 'Serviços de manutenção preventiva de veículos leves da frota', value: 55_000 };
    expect(run([dispensa('a', works), dispensa('b', works)]).streamed).toEqual([]);
    expect(run([dispensa('a', works), dispensa('b', works), dispensa('c', works)]).streamed).toHaveLength(1);
  });

  it.each<[string, ReturnType<typeof contract>[]]>([
    [
      'different categories',
      [dispensa('a'), dispensa('b', { objeto: 'Aquisição de mobiliário: cadeiras giratórias' })],
    ],
    ['different units', [dispensa('a'), dispensa('b', { buyer: 'B2' })]],
    ['different years', [dispensa('a'), dispensa('b', { date: '2023-04-10' })]],
    ['a pregão', [dispensa('a'), dispensa('b', { modalidade: 'Pregão Eletrônico' })]],
    ['one dispensa above the cap', [dispensa('a', { value: 70_000 }), dispensa('b', { value: 10_000 })]],
    ['missing dates', [dispensa('a', { date: null }), dispensa('b', { date: null })]],
    ['zero values', [dispensa('a', { value: 0 }), dispensa('b', { value: 0 })]],
  ])('does not flag %s', (_, cs) => {
    const { streamed, final } = run(cs);
    expect([...streamed, ...final]).toEqual([]);
  });

  it('takes the caps from the options', () => {
    const options: DetectorOptions = { splitPurchase: { limitsByYear: { 2024: { I: 1_000_000, II: 1_000_000 } } } };
    expect(run([dispensa('a'), dispensa('b'), dispensa('c')], options).streamed).toEqual([]);
  });
});
