import { describe, expect, it } from '@jest/globals';
import type { InvestigationFilters } from '../model/investigation-filters.model.js';
import { parseInvestigationQuery } from './query.parser.js';

const cases: Array<[string, InvestigationFilters]> = [
  [
    'Contratos de saúde acima de R$ 1 milhão em 2024',
    { orgao: '36000', min_value: 1_000_000, start_date: '2024-01-01', end_date: '2024-12-31' },
  ],
  [
    'CONTRATOS DE SAUDE ACIMA DE R$ 1 MILHAO EM 2024',
    { orgao: '36000', min_value: 1_000_000, start_date: '2024-01-01', end_date: '2024-12-31' },
  ],
  ['contratos do Ministério da Educação abaixo de 500 mil', { orgao: '26000', max_value: 500_000 }],
  ['MEC, contratos entre R$ 100 mil e R$ 2 milhões', { orgao: '26000', min_value: 100_000, max_value: 2_000_000 }],
  ['contratos entre 100 e 500 mil reais', { min_value: 100_000, max_value: 500_000 }],
  ['gastos da defesa de 1,5 mi a 3 mi', { orgao: '52000', min_value: 1_500_000, max_value: 3_000_000 }],
  ['contratos acima de 2.000.000,00', { min_value: 2_000_000 }],
  ['contratos superiores a R$ 750.000', { min_value: 750_000 }],
  ['contratos de valor superior a 1 milhão', { min_value: 1_000_000 }],
  ['contratos inferiores a R$ 50 mil', { max_value: 50_000 }],
  ['valor menor que 20 mil', { max_value: 20_000 }],
  ['contratos de no máximo R$ 80 mil', { max_value: 80_000 }],
  ['compras até 1 bilhão', { max_value: 1_000_000_000 }],
  ['contratos milionários da saúde', { orgao: '36000', min_value: 1_000_000 }],
  ['contratos em março de 2024', { start_date: '2024-03-01', end_date: '2024-03-31' }],
  ['contratos de fevereiro de 2024', { start_date: '2024-02-01', end_date: '2024-02-29' }],
  ['contratos mar/2023', { start_date: '2023-03-01', end_date: '2023-03-31' }],
  ['de janeiro a junho de 2023', { start_date: '2023-01-01', end_date: '2023-06-30' }],
  ['entre março de 2022 e fevereiro de 2023', { start_date: '2022-03-01', end_date: '2023-02-28' }],
  ['contratos entre 2020 e 2022', { start_date: '2020-01-01', end_date: '2022-12-31' }],
  ['contratos de 2021 a 2023 do MEC', { orgao: '26000', start_date: '2021-01-01', end_date: '2023-12-31' }],
  ['primeiro semestre de 2024', { start_date: '2024-01-01', end_date: '2024-06-30' }],
  ['2º semestre de 2023', { start_date: '2023-07-01', end_date: '2023-12-31' }],
  ['3º trimestre de 2024', { start_date: '2024-07-01', end_date: '2024-09-30' }],
  ['contratos desde 2022', { start_date: '2022-01-01' }],
  ['contratos a partir de março de 2023', { start_date: '2023-03-01' }],
  ['contratos após 2022', { start_date: '2023-01-01' }],
  ['contratos até 2023', { end_date: '2023-12-31' }],
  ['contratos antes de 2023', { end_date: '2022-12-31' }],
  ['contratos de 01/02/2024 a 15/03/2024', { start_date: '2024-02-01', end_date: '2024-03-15' }],
  ['assinados em 05/11/2024', { start_date: '2024-11-05', end_date: '2024-11-05' }],
  ['contratos com o CNPJ 12.345.678/0001-95', { cnpj: '12.345.678/0001-95' }],
  [
    'fornecedor 12345678000195 em 2023',
    { cnpj: '12.345.678/0001-95', start_date: '2023-01-01', end_date: '2023-12-31' },
  ],
  ['órgão 39000 acima de R$ 10 milhões', { orgao: '39000', min_value: 10_000_000 }],
  ['contratos do orgao siafi 22000', { orgao: '22000' }],
  [
    'Ministério da Justiça e Segurança Pública em 2023',
    { orgao: '30000', start_date: '2023-01-01', end_date: '2023-12-31' },
  ],
  ['contratos do mcti', { orgao: '24000' }],
  ['despesas da educação com valor maior que R$ 300 mil', { orgao: '26000', min_value: 300_000 }],
  ['mais de 10 contratos de limpeza', {}],
  ['contratos de R$ 2024 mil', {}],
  ['o que você sabe?', {}],
  ['', {}],
];

describe('parseInvestigationQuery', () => {
  it.each(cases)('%s', (query, filters) => {
    expect(parseInvestigationQuery(query).filters).toEqual(filters);
  });

  it('keeps the words that say what to look for, and the object category', () => {
    const parsed = parseInvestigationQuery('Compras de medicamentos oncológicos pelo Ministério da Saúde em 2024');
    expect(parsed.category).toBe('medicamentos');
    expect(parsed.keywords).toEqual(['medicamentos', 'oncologicos']);
    expect(parseInvestigationQuery('contratos de TI da educação').category).toBe('ti_software');
    expect(parseInvestigationQuery('obras em rodovias').category).toBe('obras');
    expect(parseInvestigationQuery('contratos da saúde').category).toBeUndefined();
  });
});
