import { ANOMALY_TYPES, isAnomalyType, type AnomalyType } from '../model/anomaly.model.js';
import type { InvestigationFilters } from '../model/investigation-filters.model.js';
import { normalizeText } from '../text/text.normalizer.js';
import { anomalyTypeLabel } from './anomaly-labels.js';

export const INVESTIGATION_PHASES = [
  'data_retrieval',
  'analyzing_contracts',
  'anomaly_detection',
  'generating_report',
] as const;
export type InvestigationPhase = (typeof INVESTIGATION_PHASES)[number];

export interface InvestigationPlan {
  readonly detectors: AnomalyType[];
  readonly phases: InvestigationPhase[];
  readonly rationale: string;
}

export interface PlanRequest {
  readonly query: string;
  readonly filters: InvestigationFilters;
  readonly requestedTypes?: readonly string[];
}

/** Words of a question that point at one kind of irregularity. */
const TOPICS: ReadonlyArray<readonly [AnomalyType, RegExp]> = [
  ['price_deviation', /\b(sobrepreco|superfatur|preco)/],
  ['vendor_concentration', /\b(concentra|monopolio|direcionamento|mesmo fornecedor)/],
  ['temporal_pattern', /\b(dezembro|fim de ano|final do ano|fim do exercicio|sazonal|pico|temporal)/],
  ['duplicate_contract', /\b(duplicad|duplicidade|repetid)/],
  ['amendment_over_limit', /\b(aditiv|acrescimo)/],
  ['split_purchase', /\b(fracion|dispensa)/],
  ['benford_deviation', /\b(benford|digito|fabricad|manipulad)/],
];

/**
 * Abaporu: decides which detectors run. Explicitly requested types win; otherwise the topics
 * the question names, or every detector. Vendor concentration is dropped when the data is
 * cut to one vendor (CNPJ filter): every buyer would then look captured.
 */
export function planInvestigation(request: PlanRequest): InvestigationPlan {
  const requested = canonical((request.requestedTypes ?? []).filter(isAnomalyType));
  const text = normalizeText(request.query ?? '');
  const topics = TOPICS.filter(([, pattern]) => pattern.test(text)).map(([type]) => type);
  let detectors = requested.length > 0 ? requested : topics.length > 0 ? canonical(topics) : [...ANOMALY_TYPES];
  const reasons = [
    requested.length > 0
      ? 'Detectores pedidos explicitamente na requisição.'
      : topics.length > 0
        ? 'Detectores escolhidos pelos temas citados na consulta.'
        : 'A consulta não cita um tipo de irregularidade, então todos os detectores serão aplicados.',
  ];
  if (request.filters.cnpj && detectors.includes('vendor_concentration')) {
    detectors = detectors.filter((type) => type !== 'vendor_concentration');
    reasons.push(
      'Concentração em fornecedor foi retirada porque o filtro por CNPJ deixa um único fornecedor nos dados.',
    );
    if (detectors.length === 0) detectors = ANOMALY_TYPES.filter((type) => type !== 'vendor_concentration');
  }
  reasons.push(`Detectores: ${detectors.map(anomalyTypeLabel).join(', ')}.`);
  return { detectors, phases: [...INVESTIGATION_PHASES], rationale: reasons.join(' ') };
}

function canonical(types: readonly AnomalyType[]): AnomalyType[] {
  const wanted = new Set(types);
  return ANOMALY_TYPES.filter((type) => wanted.has(type));
}
