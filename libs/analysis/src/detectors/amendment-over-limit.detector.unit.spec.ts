import { describe, expect, it } from '@jest/globals';
import { createAnalysisSession } from '../session/analysis.session.js';
import { contract } from '../testing/contract.fixture.js';

const run = (...cs: ReturnType<typeof contract>[]) => {
  const s = createAnalysisSession({ detectors: ['amendment_over_limit'] });
  return [...s.feed(cs), ...s.finish()];
};

describe('amendment_over_limit', () => {
  it('flags a final value above 125% of the initial one (art. 125)', () => {
    const [found] = run(contract({ id: 'a', value: 100_000, finalValue: 130_000 }));
    expect(found).toMatchObject({ anomaly_type: 'amendment_over_limit', contract_id: 'a' });
    expect(found?.evidence).toMatchObject({ increase_pct: 30, legal_limit_pct: 25 });
    expect(found?.explanation).toMatch(/acréscimo de 30,0% acima do limite de 25%/);
  });

  it('accepts exactly 25% and reductions', () => {
    expect(
      run(
        contract({ id: 'a', value: 100_000, finalValue: 125_000 }),
        contract({ id: 'b', value: 100_000, finalValue: 60_000 }),
      ),
    ).toEqual([]);
  });

  it('allows 50% for the reform of a building', () => {
    const reforma = 'Reforma do edifício sede';
    expect(run(contract({ id: 'r1', objeto: reforma, value: 100_000, finalValue: 140_000 }))).toEqual([]);
    expect(
      run(contract({ id: 'r2', objeto: reforma, value: 100_000, finalValue: 160_000 })).map((a) => a.contract_id),
    ).toEqual(['r2']);
  });

  it('ignores contracts without a usable initial value', () => {
    expect(
      run(
        contract({ id: 'z', value: 0, finalValue: 50_000 }),
        contract({ id: 'n', value: Number.NaN, finalValue: 10 }),
      ),
    ).toEqual([]);
  });

  it('grades severity by how far the limit is exceeded', () => {
    const [mild] = run(contract({ id: 'm', value: 100_000, finalValue: 127_000 }));
    const [gross] = run(contract({ id: 'g', value: 100_000, finalValue: 300_000 }));
    expect(mild?.severity).toBe('low');
    expect(gross?.severity).toBe('critical');
  });
});
