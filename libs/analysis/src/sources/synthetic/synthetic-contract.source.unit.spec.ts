import { describe, expect, it } from '@jest/globals';
import { ANOMALY_TYPES } from '../../model/anomaly.model.js';
import type { Contract } from '../../model/contract.model.js';
import { createAnalysisSession } from '../../session/analysis.session.js';
import { isValidCnpj } from '../../text/cnpj.formatter.js';
import { pages } from '../contract-source.port.js';
import { SyntheticContractSource } from './synthetic-contract.source.js';

const source = (seed = 'unit-seed', totalContracts = 5_000) => new SyntheticContractSource({ seed, totalContracts });

describe('SyntheticContractSource', () => {
  it('returns the same page for the same request, in any process and in any order', async () => {
    const direct = await source().fetchPage({ filters: {}, page: 37, pageSize: 50 });
    const walked = source();
    for (let page = 1; page < 37; page++) await walked.fetchPage({ filters: {}, page, pageSize: 50 });
    expect(await walked.fetchPage({ filters: {}, page: 37, pageSize: 50 })).toEqual(direct);
    expect(direct.contracts[0]).toEqual(source().contractAt(36 * 50));
    expect(direct.contracts).toHaveLength(50);
  });

  it('depends on the seed', () => {
    expect(source('a').contractAt(10)).not.toEqual(source('b').contractAt(10));
  });

  it('produces Portal-shaped contracts', () => {
    const c: Contract = source().contractAt(123);
    expect(c.id).toMatch(/^sint-[0-9a-z]+-124$/);
    expect(c.numero).toMatch(/^\d{5}\/2024$/);
    expect(isValidCnpj(c.fornecedor.cnpjFormatado)).toBe(true);
    expect(c.fornecedor.cnpjFormatado).toMatch(/^\d{2}\.\d{3}\.\d{3}\/\d{4}-\d{2}$/);
    expect(c.unidadeGestora.codigo).toMatch(/^\d{6}$/);
    expect(c.unidadeGestora.orgaoMaximo.codigo).toMatch(/^\d{5}$/);
    expect(c.valorInicialCompra).toBeGreaterThan(0);
  });

  it('ends with hasMore false and empty pages beyond the end', async () => {
    const s = source('end', 120);
    expect((await s.fetchPage({ filters: {}, page: 3, pageSize: 50 })).hasMore).toBe(false);
    expect(await s.fetchPage({ filters: {}, page: 9, pageSize: 50 })).toMatchObject({ contracts: [], hasMore: false });
    await expect(s.fetchPage({ filters: {}, page: 0, pageSize: 50 })).rejects.toThrow(RangeError);
  });

  it('applies filters and estimates how many contracts match', async () => {
    const s = source();
    const filters = { orgao: '36000', min_value: 100_000, start_date: '2024-03-01', end_date: '2024-06-30' };
    const page = await s.fetchPage({ filters, page: 2, pageSize: 500 });
    expect(page.contracts.length).toBeGreaterThan(0);
    for (const c of page.contracts) {
      expect(c.unidadeGestora.orgaoMaximo.codigo).toBe('36000');
      expect(Math.max(c.valorFinalCompra, c.valorInicialCompra)).toBeGreaterThanOrEqual(100_000);
      expect(c.dataAssinatura! >= '2024-03-01' && c.dataAssinatura! <= '2024-06-30').toBe(true);
    }
    expect(page.totalEstimate).toBeGreaterThan(0);
    expect(page.totalEstimate).toBeLessThan(5_000);
  });

  it('streams every contract through pages()', async () => {
    const seen: string[] = [];
    for await (const batch of pages(source('pages', 1_234), {}, 100)) seen.push(...batch.map((c) => c.id));
    expect(seen).toHaveLength(1_234);
    expect(new Set(seen).size).toBe(1_234);
  });

  it('stops on an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      source().fetchPage({ filters: {}, page: 1, pageSize: 10, signal: controller.signal }),
    ).rejects.toThrow();
  });

  it('plants every anomaly type, with labels the detectors find', () => {
    const s = new SyntheticContractSource({ seed: 'planted', totalContracts: 20_000, anomalyRate: 0.05 });
    const planted = s.plantedAnomalies();
    expect(new Set(planted.map((p) => p.type))).toEqual(new Set(ANOMALY_TYPES));
    const truth = s.groundTruth();
    const amendments = planted.filter((p) => p.type === 'amendment_over_limit').flatMap((p) => p.contractIds);
    for (const id of amendments) expect(truth.get(id)).toContain('amendment_over_limit');
    const session = createAnalysisSession({ detectors: ['amendment_over_limit'] });
    const found = session.feed(Array.from({ length: 20_000 }, (_, i) => s.contractAt(i)));
    expect(new Set(found.map((a) => a.contract_id))).toEqual(new Set(amendments));
  });

  it('gives every small world contracts of the big ministries, so a question about Saúde finds some', () => {
    for (const seed of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const s = new SyntheticContractSource({ seed, totalContracts: 300 });
      const codes = new Set(Array.from({ length: 300 }, (_, i) => s.contractAt(i).unidadeGestora.orgaoMaximo.codigo));
      expect({ seed, saude: codes.has('36000'), educacao: codes.has('26000') }).toEqual({
        seed,
        saude: true,
        educacao: true,
      });
    }
  });
});
