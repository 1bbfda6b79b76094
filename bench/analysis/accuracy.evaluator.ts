import {
  ANOMALY_TYPES,
  createAnalysisSession,
  type Anomaly,
  type AnomalyType,
  type PlantedAnomaly,
  type SyntheticContractSource,
} from '#analysis';

export interface DetectorScore {
  readonly type: AnomalyType;
  readonly planted: number;
  readonly found: number;
  readonly reported: number;
  readonly truePositives: number;
}

const BUYER_LEVEL: ReadonlySet<AnomalyType> = new Set([
  'vendor_concentration',
  'temporal_pattern',
  'benford_deviation',
]);

/** Runs every detector over the whole source, page by page, as the investigation actors do. */
export function detectAll(source: SyntheticContractSource, pageSize: number): Anomaly[] {
  const session = createAnalysisSession({ detectors: [...ANOMALY_TYPES] });
  const found: Anomaly[] = [];
  for (let page = 1; ; page++) {
    const result = source.page({}, page, pageSize);
    found.push(...session.feed(result.contracts));
    if (!result.hasMore) break;
  }
  found.push(...session.finish());
  return found;
}

/** The planted anomaly an anomaly points at, or null for a false alarm. */
function plantedKeyOf(anomaly: Anomaly, byContract: Map<string, string>, byBuyer: Map<string, string>): string | null {
  if (BUYER_LEVEL.has(anomaly.anomaly_type)) return byBuyer.get(String(anomaly.evidence['unidade_gestora'])) ?? null;
  const votes = new Map<string, number>();
  for (const id of anomaly.contract_ids) {
    const key = byContract.get(id);
    if (key) votes.set(key, (votes.get(key) ?? 0) + 1);
  }
  const [best] = [...votes.entries()].sort((a, b) => b[1] - a[1]);
  if (!best) return null;
  // A split purchase is a (unit, year, category) group: it is right when the group holds a planted
  // split, even if the unit's own small dispensas are in it too. A duplicate is right when most of
  // the contracts it names are one planted re-registration.
  if (anomaly.anomaly_type === 'split_purchase') return best[0];
  return best[1] * 2 >= anomaly.contract_ids.length ? best[0] : null;
}

export function score(
  type: AnomalyType,
  planted: readonly PlantedAnomaly[],
  anomalies: readonly Anomaly[],
): DetectorScore {
  const mine = planted.filter((p) => p.type === type);
  const byContract = new Map<string, string>();
  const byBuyer = new Map<string, string>();
  for (const p of mine) {
    if (p.unidadeGestora) byBuyer.set(p.unidadeGestora, p.key);
    else for (const id of p.contractIds) byContract.set(id, p.key);
  }
  const reported = anomalies.filter((a) => a.anomaly_type === type);
  const found = new Set<string>();
  let truePositives = 0;
  for (const anomaly of reported) {
    const key = plantedKeyOf(anomaly, byContract, byBuyer);
    if (key === null) continue;
    truePositives++;
    found.add(key);
  }
  return { type, planted: mine.length, found: found.size, reported: reported.length, truePositives };
}

export function evaluate(source: SyntheticContractSource, pageSize: number): DetectorScore[] {
  const anomalies = detectAll(source, pageSize);
  const planted = source.plantedAnomalies();
  return ANOMALY_TYPES.map((type) => score(type, planted, anomalies));
}

export type Counts = Omit<DetectorScore, 'type'>;

export function sumScores(type: string, scores: readonly Counts[]): Counts & { type: string } {
  return scores.reduce(
    (acc, s) => ({
      type,
      planted: acc.planted + s.planted,
      found: acc.found + s.found,
      reported: acc.reported + s.reported,
      truePositives: acc.truePositives + s.truePositives,
    }),
    { type, planted: 0, found: 0, reported: 0, truePositives: 0 },
  );
}

export const precisionOf = (s: Pick<DetectorScore, 'truePositives' | 'reported'>): number =>
  s.reported === 0 ? 1 : s.truePositives / s.reported;
export const recallOf = (s: Pick<DetectorScore, 'found' | 'planted'>): number =>
  s.planted === 0 ? 1 : s.found / s.planted;
