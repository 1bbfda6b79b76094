import { formatNumberPt, type Anomaly } from '#analysis';
import type { InvestigationSummary } from '#investigations';
import { ANOMALY_LABEL, ANOMALY_MEANING, SEVERITY_LABEL, anomalyTypeMentioned } from './anomaly.labels.js';

const NO_INVESTIGATION =
  'Ainda não encontrei uma investigação nesta conversa. Peça uma, por exemplo: "Quero investigar os contratos da saúde acima de R$ 1 milhão", ou me diga o identificador de uma investigação.';

const PHASE_LABEL: Readonly<Record<string, string>> = {
  started: 'início',
  data_retrieval: 'coleta de dados',
  analyzing_contracts: 'análise dos contratos',
  anomaly_detection: 'detecção de anomalias',
  generating_report: 'redação do relatório',
};

/** The answer to `investigate` from someone whose roles do not grant investigation:start. */
export const START_REFUSED =
  'Você não tem permissão para iniciar investigações: isso cabe a analistas e administradores. Posso responder sobre as investigações que você acompanha, se me disser o identificador.';

export const phaseLabel = (phase: string | null): string =>
  phase ? (PHASE_LABEL[phase] ?? phase) : 'aguardando início';

const score = (value: number): string => formatNumberPt(value, 2);

const byScore = (anomalies: readonly Anomaly[]): Anomaly[] => [...anomalies].sort((a, b) => b.score - a.score);

export function anomalyLine(anomaly: Anomaly): string {
  return `**${ANOMALY_LABEL[anomaly.anomaly_type]}** (severidade ${SEVERITY_LABEL[anomaly.severity]}) no contrato \`${anomaly.contract_id}\`: ${anomaly.explanation}`;
}

function counts(s: InvestigationSummary): string {
  return `${formatNumberPt(s.records_processed)} contratos analisados e ${formatNumberPt(s.anomalies_detected)} anomalias encontradas`;
}

function top(s: InvestigationSummary, n: number): string {
  const lines = byScore(s.anomalies)
    .slice(0, n)
    .map((a) => `- ${anomalyLine(a)}`);
  return lines.length ? `\n\nPrincipais achados:\n${lines.join('\n')}` : '';
}

/** Where an investigation stands, from its read model. */
export function composeInvestigationStatus(summary: InvestigationSummary | null): string {
  if (!summary) return NO_INVESTIGATION;
  const subject = `A investigação \`${summary.investigation_id}\`${summary.query ? ` ("${summary.query}")` : ''}`;
  switch (summary.status) {
    case 'queued':
      return `${subject} foi recebida e aguarda um agente livre para começar.`;
    case 'running':
      return `${subject} está em andamento: ${formatNumberPt(summary.progress, 1)}% concluída, na fase de ${phaseLabel(summary.current_phase)}. Até agora, ${counts(summary)}.${top(summary, 3)}`;
    case 'completed':
      return `${subject} foi concluída em ${summary.execution_time ?? '—'}: ${counts(summary)}.${top(summary, 3)}\n\nO relatório completo está em \`/api/v1/investigations/${summary.investigation_id}\`.`;
    case 'failed':
      return `${subject} falhou: ${summary.error?.message ?? 'erro desconhecido'} (${summary.error?.error_code ?? 'ERROR'}). Você pode pedir uma nova investigação.`;
    case 'cancelled':
      return `${subject} foi cancelada${summary.cancel_reason ? `: ${summary.cancel_reason}` : ''}. Até o cancelamento, ${counts(summary)}.`;
    default: {
      const unexpected: never = summary.status;
      return String(unexpected);
    }
  }
}

function evidence(anomaly: Anomaly): string {
  const entries = Object.entries(anomaly.evidence).slice(0, 6);
  if (entries.length === 0) return '';
  const lines = entries.map(
    ([key, value]) =>
      `- ${key}: ${typeof value === 'number' ? formatNumberPt(value, Number.isInteger(value) ? 0 : 2) : value}`,
  );
  return `\n\nEvidências registradas:\n${lines.join('\n')}`;
}

/** Explains the finding a question points at (by kind), or the most suspicious one. */
export function composeAnomalyExplanation(summary: InvestigationSummary | null, question: string): string {
  if (!summary) return NO_INVESTIGATION;
  if (summary.anomalies.length === 0) {
    const when = summary.status === 'running' || summary.status === 'queued' ? 'até agora' : 'nesta investigação';
    return `Nenhuma anomalia foi encontrada ${when} na investigação \`${summary.investigation_id}\` (${counts(summary)}).`;
  }
  const wanted = anomalyTypeMentioned(question);
  const ranked = byScore(summary.anomalies);
  const chosen = ranked.find((a) => a.anomaly_type === wanted) ?? ranked[0];
  if (!chosen) return NO_INVESTIGATION;
  const which =
    wanted && chosen.anomaly_type === wanted ? 'Sobre a anomalia que você citou' : 'A anomalia mais grave encontrada';
  const intro = wanted && chosen.anomaly_type !== wanted ? `Não encontrei anomalias desse tipo. ` : '';
  return [
    `${intro}${which}: ${anomalyLine(chosen)}`,
    '',
    `O que isso significa: ${ANOMALY_MEANING[chosen.anomaly_type]}. A pontuação de suspeita é ${score(chosen.score)} numa escala de 0 a 1${chosen.contract_ids.length > 1 ? `, envolvendo ${chosen.contract_ids.length} contratos` : ''}.${evidence(chosen)}`,
    '',
    'Uma anomalia é um indício que merece ser aprofundado, não uma prova de irregularidade.',
  ].join('\n');
}
