import type { Anomaly } from '#analysis';

/** A finding of the given severity, for projections' specs; a fresh id each time. */
export const anomalyOf = (severity: Anomaly['severity']): Anomaly => ({
  anomaly_id: `a-${severity}-${Math.random()}`,
  anomaly_type: 'price_deviation',
  severity,
  score: 0.5,
  contract_id: 'k1',
  contract_ids: ['k1'],
  explanation: 'preço acima da mediana',
  evidence: {},
});
