/** One measured configuration of the wire-cost bench. */
export interface WireCase {
  readonly transport: 'sse' | 'ws';
  /** sse: adaptive, always (gzip every frame) or never; ws: deflate or none. */
  readonly mode: 'adaptive' | 'always' | 'never' | 'deflate' | 'none';
  readonly kind: FrameKind;
  readonly subscribers: number;
  readonly events: number;
  /** 0: as fast as the subscribers take them. */
  readonly paceMs: number;
  readonly windowBits?: number;
}

/** anomaly: an investigation's detailed event (~600 B); short: a presence/progress tick (~120 B). */
export type FrameKind = 'anomaly' | 'short';

const TYPES = ['overpricing', 'vendor_concentration', 'split_purchase', 'temporal_anomaly'] as const;
const VENDORS = ['Construtora Alfa Ltda', 'Distribuidora Beta S.A.', 'Gama Serviços de TI', 'Delta Engenharia'];
const AGENCIES = ['Ministério da Saúde', 'Ministério da Educação', 'Secretaria de Obras', 'Fundação Nacional'];

/** A deterministic event of the kind, the i-th of its stream, as the wire's JSON text. */
export function frameText(kind: FrameKind, i: number): string {
  const pick = <T>(list: readonly T[], salt: number): T => list[(i * 7 + salt) % list.length] as T;
  if (kind === 'short')
    return JSON.stringify({ type: 'progress', investigation_id: 'inv-7f3c2a', progress: i % 100, records: i * 50 });
  const amount = 150_000 + ((i * 7919) % 900_000);
  return JSON.stringify({
    type: 'anomaly',
    investigation_id: 'inv-7f3c2a9e-1b4d-4c8a-9f0e-2d6b8a1c3e5f',
    anomaly_id: `anm-${i.toString(16).padStart(8, '0')}`,
    anomaly_type: pick(TYPES, 1),
    severity: pick(['low', 'medium', 'high', 'critical'], 3),
    confidence: Number((0.5 + ((i * 37) % 50) / 100).toFixed(2)),
    description: `Contrato ${2024}NE${(100000 + i).toString()} de ${pick(AGENCIES, 5)} com valor ${(amount / 1000).toFixed(1)} mil acima da mediana de contratos semelhantes do mesmo período`,
    contract: { id: `ct-${(i * 131) % 100000}`, vendor: pick(VENDORS, 2), agency: pick(AGENCIES, 4), amount },
    evidence: { median_amount: Math.round(amount * 0.62), sample_size: 40 + (i % 60), z_score: 2.1 + (i % 20) / 10 },
    detected_at: new Date(Date.UTC(2026, 0, 1, 12, 0, i % 60)).toISOString(),
  });
}
