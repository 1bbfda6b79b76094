import { describe, expect, it } from '@jest/globals';
import { anomalyId } from '../detectors/anomaly.factory.js';
import { ANOMALY_TYPES, type Anomaly } from '../model/anomaly.model.js';
import type { Contract } from '../model/contract.model.js';
import { SyntheticContractSource } from '../sources/synthetic/synthetic-contract.source.js';
import { createAnalysisSession } from './analysis.session.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const data = (): Contract[] => {
  const source = new SyntheticContractSource({ seed: 'session-test', totalContracts: 6_000, anomalyRate: 0.05 });
  return Array.from({ length: source.totalContracts }, (_, i) => source.contractAt(i));
};
const runInBatches = (contracts: Contract[], size: number): { streamed: Anomaly[]; final: Anomaly[] } => {
  const session = createAnalysisSession({ detectors: [...ANOMALY_TYPES] });
  const streamed: Anomaly[] = [];
  for (let i = 0; i < contracts.length; i += size) streamed.push(...session.feed(contracts.slice(i, i + size)));
  return { streamed, final: session.finish() };
};

describe('createAnalysisSession', () => {
  const contracts = data();

  it('gives the same anomalies, in the same order, with the same ids for the same batches', () => {
    const first = runInBatches(contracts, 500);
    expect(runInBatches(contracts, 500)).toEqual(first);
    expect(first.streamed.length).toBeGreaterThan(0);
    expect(first.final.length).toBeGreaterThan(0);
  });

  it('does not depend on where the batches are cut', () => {
    expect(runInBatches(contracts, 1)).toEqual(runInBatches(contracts, 2_000));
  });

  it('never reports the same anomaly twice, and ids are UUID-shaped hashes of type and contracts', () => {
    const { streamed, final } = runInBatches(contracts, 700);
    const all = [...streamed, ...final];
    expect(new Set(all.map((a) => a.anomaly_id)).size).toBe(all.length);
    for (const a of all) {
      expect(a.anomaly_id).toMatch(UUID);
      expect(a.anomaly_id).toBe(anomalyId(a.anomaly_type, [...a.contract_ids].reverse()));
      expect(a.score).toBeGreaterThanOrEqual(0);
      expect(a.score).toBeLessThanOrEqual(1);
      expect(a.contract_ids).toContain(a.contract_id);
      expect(a.explanation).toMatch(/^[A-ZÁÉÍÓÚ].*\.$/);
      expect(a.explanation).not.toMatch(/\.\s+[A-ZÁÉÍÓÚ]/);
    }
  });

  it('counts what it saw', () => {
    const session = createAnalysisSession({ detectors: ['amendment_over_limit', 'price_deviation'] });
    const batch = contracts.slice(0, 1_000);
    const found = [...session.feed(batch), ...session.finish()];
    const stats = session.stats();
    expect(stats.recordsProcessed).toBe(1_000);
    expect(stats.anomaliesDetected).toBe(found.length);
    expect(Object.values(stats.byType).reduce((a, b) => a + b, 0)).toBe(found.length);
    expect(stats.byType.vendor_concentration).toBe(0);
    const spend = batch.reduce(
      (sum, c) => sum + (c.valorFinalCompra > 0 ? c.valorFinalCompra : c.valorInicialCompra),
      0,
    );
    expect(stats.totalValue).toBeCloseTo(spend, 0);
  });

  it('runs only the planned detectors, and refuses data after finish', () => {
    const session = createAnalysisSession({ detectors: ['duplicate_contract'] });
    const found = [...session.feed(contracts), ...session.finish()];
    expect(new Set(found.map((a) => a.anomaly_type))).toEqual(new Set(['duplicate_contract']));
    expect(session.finish()).toEqual([]);
    expect(() => session.feed(contracts.slice(0, 1))).toThrow(/after finish/);
  });

  it('handles an empty plan and empty batches', () => {
    const session = createAnalysisSession({ detectors: [] });
    expect(session.feed([])).toEqual([]);
    expect(session.feed(contracts.slice(0, 10))).toEqual([]);
    expect(session.finish()).toEqual([]);
    expect(session.stats().recordsProcessed).toBe(10);
  });
});
