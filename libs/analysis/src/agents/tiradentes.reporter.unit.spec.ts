import { describe, expect, it } from '@jest/globals';
import { makeAnomaly } from '../detectors/anomaly.factory.js';
import { emptyCountByType } from '../model/anomaly.model.js';
import { contract } from '../testing/contract.fixture.js';
import { analyzeTrends } from './anita.trends.js';
import { writeReport } from './tiradentes.reporter.js';

const anomalies = [
  makeAnomaly({
    type: 'price_deviation',
    score: 0.9,
    contractIds: ['c1'],
    explanation: 'O contrato c1 custa 30 vezes a mediana.',
    evidence: {},
  }),
  makeAnomaly({
    type: 'split_purchase',
    score: 0.4,
    contractIds: ['c2', 'c3'],
    explanation: 'Três dispensas somam mais que o limite.',
    evidence: {},
  }),
];
const input = {
  query: 'Contratos de saúde em 2024',
  filters: { orgao: '36000', start_date: '2024-01-01', end_date: '2024-12-31', min_value: 1_000_000 },
  stats: {
    recordsProcessed: 1_234,
    anomaliesDetected: 2,
    byType: { ...emptyCountByType(), price_deviation: 1, split_purchase: 1 },
    totalValue: 9_876_543.21,
  },
  anomalies,
  trends: analyzeTrends([
    contract({ id: 'c1', date: '2024-02-01' }),
    contract({ id: 'c2', date: '2024-12-01', value: 500_000 }),
  ]),
  executionSeconds: 12.345,
};

describe('writeReport (Tiradentes)', () => {
  it('writes a Portuguese markdown summary of the investigation', () => {
    const report = writeReport(input);
    expect(report).toMatch(/^# Relatório da investigação/);
    expect(report).toContain(
      '**Filtros:** órgão Ministério da Saúde (36000); período de 01/01/2024 até 31/12/2024; valor a partir de R$ 1.000.000,00',
    );
    expect(report).toContain('1.234 contratos, somando R$ 9.876.543,21.');
    expect(report).toContain('Tempo de execução: 12,3 s.');
    expect(report).toContain('Total: 2 (crítica: 1, alta: 0, média: 1, baixa: 0).');
    expect(report).toContain('| Desvio de preço | 1 | 1 | 0 | 0 | 0 |');
    expect(report).toMatch(
      /1\. \*\*Desvio de preço\*\* \(crítica, pontuação 0,90\): O contrato c1 custa 30 vezes a mediana\./,
    );
    expect(report).toContain('Mês de pico: dezembro de 2024');
    expect(report).toContain('## Ressalvas');
  });

  it('says so when nothing was found', () => {
    const report = writeReport({
      ...input,
      anomalies: [],
      filters: {},
      stats: { ...input.stats, recordsProcessed: 0, totalValue: 0 },
    });
    expect(report).toContain('**Filtros:** nenhum');
    expect(report).toContain('Nenhuma anomalia foi encontrada');
    expect(report).toContain('Poucos contratos');
    expect(report).not.toContain('## Principais achados');
  });
});
