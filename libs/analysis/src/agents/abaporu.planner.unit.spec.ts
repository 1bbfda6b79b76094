import { describe, expect, it } from '@jest/globals';
import { ANOMALY_TYPES } from '../model/anomaly.model.js';
import { planInvestigation } from './abaporu.planner.js';

describe('planInvestigation (Abaporu)', () => {
  it('runs every detector through the four phases when the query names no topic', () => {
    const plan = planInvestigation({
      query: 'Contratos de saúde acima de R$ 1 milhão em 2024',
      filters: { orgao: '36000' },
    });
    expect(plan.detectors).toEqual([...ANOMALY_TYPES]);
    expect(plan.phases).toEqual(['data_retrieval', 'analyzing_contracts', 'anomaly_detection', 'generating_report']);
    expect(plan.rationale).toMatch(/todos os detectores/);
  });

  it('follows the topics of the question', () => {
    const plan = planInvestigation({ query: 'Há fracionamento ou SOBREPREÇO nas compras do MEC?', filters: {} });
    expect(plan.detectors).toEqual(['price_deviation', 'split_purchase']);
    expect(plan.rationale).toMatch(/Desvio de preço, Fracionamento de compra/);
  });

  it('prefers the requested types, in canonical order, ignoring unknown names', () => {
    const plan = planInvestigation({
      query: 'sobrepreço',
      filters: {},
      requestedTypes: ['benford_deviation', 'nonsense', 'duplicate_contract'],
    });
    expect(plan.detectors).toEqual(['duplicate_contract', 'benford_deviation']);
  });

  it('drops vendor concentration when the data is cut to one vendor', () => {
    const all = planInvestigation({ query: 'contratos', filters: { cnpj: '12.345.678/0001-95' } });
    expect(all.detectors).not.toContain('vendor_concentration');
    expect(all.detectors).toHaveLength(ANOMALY_TYPES.length - 1);
    const only = planInvestigation({
      query: 'concentração',
      filters: { cnpj: '12.345.678/0001-95' },
      requestedTypes: ['vendor_concentration'],
    });
    expect(only.detectors).toHaveLength(ANOMALY_TYPES.length - 1);
    expect(only.rationale).toMatch(/único fornecedor/);
  });
});
