import { describe, expect, it } from '@jest/globals';
import { severityFromScore } from '../model/anomaly.model.js';
import { matchesFilters } from '../model/investigation-filters.model.js';
import { contract } from '../testing/contract.fixture.js';
import { stableUuid } from '../util/stable-hash.js';
import { cnpjWithCheckDigits, formatCnpj, isValidCnpj } from './cnpj.formatter.js';
import { formatBrl, formatNumberPt, formatPercentPt } from './number.formatter.js';
import { normalizeText, tokenize } from './text.normalizer.js';

describe('text helpers', () => {
  it('formats money and numbers the Brazilian way', () => {
    expect(formatBrl(1234567.891)).toBe('R$ 1.234.567,89');
    expect(formatBrl(0)).toBe('R$ 0,00');
    expect(formatBrl(-50.5)).toBe('-R$ 50,50');
    expect(formatNumberPt(3.14159, 2)).toBe('3,14');
    expect(formatPercentPt(0.4567)).toBe('45,7%');
  });

  it('formats and validates CNPJs', () => {
    expect(formatCnpj('11222333000181')).toBe('11.222.333/0001-81');
    expect(formatCnpj('123')).toBeNull();
    expect(isValidCnpj('11.222.333/0001-81')).toBe(true);
    expect(isValidCnpj('11.222.333/0001-82')).toBe(false);
    expect(isValidCnpj('00.000.000/0000-00')).toBe(false);
    expect(cnpjWithCheckDigits('112223330001')).toBe('11222333000181');
  });

  it('normalises accents and case and drops filler words', () => {
    expect(normalizeText('AQUISIÇÃO de Vacinas — Saúde')).toBe('aquisicao de vacinas — saude');
    expect(tokenize(normalizeText('Aquisição de papel A4 para a unidade, papel'))).toEqual([
      'aquisicao',
      'papel',
      'a4',
      'unidade',
    ]);
  });

  it('maps scores to severities', () => {
    expect([0, 0.34, 0.35, 0.59, 0.6, 0.84, 0.85, 1, Number.NaN].map(severityFromScore)).toEqual([
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
      'low',
    ]);
  });

  it('derives stable UUID-shaped ids', () => {
    expect(stableUuid('x')).toBe(stableUuid('x'));
    expect(stableUuid('x')).not.toBe(stableUuid('y'));
    expect(stableUuid('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('matches contracts against filters, dates missing included', () => {
    const c = contract({ id: '1', value: 500, date: '2024-06-01', vendor: '11.222.333/0001-81' });
    expect(matchesFilters(c, { orgao: '36000', cnpj: '11222333000181', min_value: 100, max_value: 500 })).toBe(true);
    expect(matchesFilters(c, { start_date: '2024-07-01' })).toBe(false);
    expect(matchesFilters(contract({ id: '2', date: null }), { end_date: '2030-01-01' })).toBe(false);
    expect(matchesFilters(contract({ id: '2', date: null }), {})).toBe(true);
  });
});
