import { severityFromScore, type Anomaly, type AnomalyType } from '../model/anomaly.model.js';
import { stableUuid } from '../util/stable-hash.js';

export interface AnomalyDraft {
  readonly type: AnomalyType;
  readonly score: number;
  /** The representative contract first; the id does not depend on this order. */
  readonly contractIds: readonly string[];
  readonly explanation: string;
  readonly evidence: Record<string, number | string>;
}

export const clamp01 = (value: number): number => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);

/** Rounds evidence so replays print the same figures and events stay small. */
export const round = (value: number, decimals = 4): number => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};

export function anomalyId(type: AnomalyType, contractIds: readonly string[]): string {
  return stableUuid(`${type}|${[...contractIds].sort().join(',')}`);
}

export function makeAnomaly(draft: AnomalyDraft): Anomaly {
  const score = round(clamp01(draft.score), 4);
  const ids = [...new Set(draft.contractIds)];
  return {
    anomaly_id: anomalyId(draft.type, ids),
    anomaly_type: draft.type,
    severity: severityFromScore(score),
    score,
    contract_id: ids[0] ?? '',
    contract_ids: ids,
    explanation: draft.explanation,
    evidence: draft.evidence,
  };
}
