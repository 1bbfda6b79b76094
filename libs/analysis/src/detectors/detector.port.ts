import type { Anomaly, AnomalyType } from '../model/anomaly.model.js';
import type { ContractFacts } from './contract-facts.builder.js';

/**
 * One anomaly detector, fed contract by contract. `observe` pushes the anomalies it can
 * already prove; `finish` pushes those that need the whole data set. Neither may push the
 * same finding twice.
 */
export interface Detector {
  readonly type: AnomalyType;
  observe(facts: ContractFacts, out: Anomaly[]): void;
  finish(out: Anomaly[]): void;
}
