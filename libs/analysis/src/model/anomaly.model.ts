export const ANOMALY_TYPES = [
  'price_deviation',
  'vendor_concentration',
  'temporal_pattern',
  'duplicate_contract',
  'amendment_over_limit',
  'split_purchase',
  'benford_deviation',
] as const;

export type AnomalyType = (typeof ANOMALY_TYPES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Anomaly {
  /** Stable hash of type + sorted contract ids, UUID-shaped: the same finding always has the same id. */
  readonly anomaly_id: string;
  readonly anomaly_type: AnomalyType;
  readonly severity: Severity;
  /** 0..1, higher is more suspicious. */
  readonly score: number;
  /** The most representative contract of the finding. */
  readonly contract_id: string;
  readonly contract_ids: string[];
  /** One Portuguese sentence. */
  readonly explanation: string;
  readonly evidence: Record<string, number | string>;
}

export function isAnomalyType(value: string): value is AnomalyType {
  return (ANOMALY_TYPES as readonly string[]).includes(value);
}

/** Bands chosen so that "critical" stays rare: only findings near the top of each detector's scale. */
export function severityFromScore(score: number): Severity {
  if (!Number.isFinite(score) || score < 0.35) return 'low';
  if (score < 0.6) return 'medium';
  if (score < 0.85) return 'high';
  return 'critical';
}

export function emptyCountByType(): Record<AnomalyType, number> {
  return {
    price_deviation: 0,
    vendor_concentration: 0,
    temporal_pattern: 0,
    duplicate_contract: 0,
    amendment_over_limit: 0,
    split_purchase: 0,
    benford_deviation: 0,
  };
}
