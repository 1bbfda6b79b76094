import { normalizeText, type AnomalyType, type Severity } from '#analysis';

export const ANOMALY_LABEL: Readonly<Record<AnomalyType, string>> = {
  price_deviation: 'Desvio de preço (possível sobrepreço)',
  vendor_concentration: 'Concentração em fornecedor',
  temporal_pattern: 'Padrão temporal atípico',
  duplicate_contract: 'Contrato duplicado',
  amendment_over_limit: 'Aditivo acima do limite legal',
  split_purchase: 'Fracionamento de compra',
  benford_deviation: 'Desvio da lei de Benford',
};

/** What each kind of finding means, for citizens rather than auditors. */
export const ANOMALY_MEANING: Readonly<Record<AnomalyType, string>> = {
  price_deviation:
    'o valor pago ficou muito acima do que se costuma pagar por objetos da mesma categoria, o que pode indicar sobrepreço',
  vendor_concentration:
    'uma parcela grande das compras de um mesmo órgão ficou com um único fornecedor, o que pode indicar direcionamento',
  temporal_pattern:
    'houve concentração atípica de contratações num período curto, como o fim do exercício, quando o controle costuma ser menor',
  duplicate_contract:
    'há contratos quase idênticos (mesmo objeto, fornecedor e valor), o que pode indicar pagamento em duplicidade',
  amendment_over_limit: 'os aditivos somados passam do limite legal de acréscimo sobre o valor original do contrato',
  split_purchase:
    'várias compras pequenas e próximas do mesmo objeto parecem dividir uma contratação maior para ficar abaixo do limite de dispensa de licitação',
  benford_deviation:
    'a distribuição dos primeiros dígitos dos valores se afasta da lei de Benford, um sinal estatístico de valores possivelmente fabricados',
};

export const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  low: 'baixa',
  medium: 'média',
  high: 'alta',
  critical: 'crítica',
};

/** Words of a question that point at one kind of finding. */
const TOPICS: ReadonlyArray<readonly [AnomalyType, RegExp]> = [
  ['price_deviation', /\b(sobrepreco|superfatur|preco|valor acima)/],
  ['vendor_concentration', /\b(concentra|monopolio|direcionamento|fornecedor aparece|mesmo fornecedor)/],
  ['temporal_pattern', /\b(temporal|fim de ano|dezembro|periodo)/],
  ['duplicate_contract', /\b(duplicad|duplicidade|repetid)/],
  ['amendment_over_limit', /\b(aditiv|acrescimo)/],
  ['split_purchase', /\b(fracion|dispensa)/],
  ['benford_deviation', /\b(benford|digito)/],
];

/** The kind of finding a question names, if any. */
export function anomalyTypeMentioned(text: string): AnomalyType | null {
  const folded = normalizeText(text);
  return TOPICS.find(([, pattern]) => pattern.test(folded))?.[0] ?? null;
}
