import { formatBrl, formatNumberPt, orgaoByCode, type InvestigationFilters } from '#analysis';
import type { InvestigationEvent } from '#investigations';
import { assertNever } from '#eventsourcing';
import { anomalyLine, phaseLabel } from './investigation-facts.composer.js';

/** Anomalies announced one by one while an investigation runs; the rest are in the report. */
export const ANOMALIES_ANNOUNCED_LIVE = 10;

function describeFilters(filters: InvestigationFilters): string[] {
  const parts: string[] = [];
  if (filters.orgao) parts.push(`órgão: ${orgaoByCode(filters.orgao)?.nome ?? filters.orgao} (${filters.orgao})`);
  if (filters.start_date || filters.end_date)
    parts.push(`período: ${filters.start_date ?? 'início'} a ${filters.end_date ?? 'hoje'}`);
  if (filters.min_value !== undefined) parts.push(`valor mínimo: ${formatBrl(filters.min_value)}`);
  if (filters.max_value !== undefined) parts.push(`valor máximo: ${formatBrl(filters.max_value)}`);
  if (filters.cnpj) parts.push(`fornecedor (CNPJ): ${filters.cnpj}`);
  return parts;
}

/** The first words of an investigate answer: what was understood, before anything runs. */
export function narrateInvestigationOpening(investigationId: string, filters: InvestigationFilters): string {
  const understood = describeFilters(filters);
  const scope = understood.length ? `Entendi assim:\n${understood.map((p) => `- ${p}`).join('\n')}\n\n` : '';
  return `Vou investigar isso agora. ${scope}Investigação \`${investigationId}\` solicitada; acompanhe aqui o progresso.\n\n`;
}

/**
 * One investigation event as chat text, or null for events not worth a line. `ordinal`
 * is the anomaly's number in its investigation, so only the first few are told live.
 */
export function narrateInvestigationEvent(
  event: InvestigationEvent,
  investigationId: string,
  ordinal = 0,
): string | null {
  switch (event.type) {
    case 'InvestigationStarted':
      return '**Investigação iniciada.**\n';
    case 'InvestigationPlanned':
      return `- Plano do Abaporu: ${event.data.rationale}\n`;
    case 'PhaseStarted':
      return `- Fase: **${phaseLabel(event.data.phase)}**\n`;
    case 'ProgressReported': {
      const d = event.data;
      // The last report lands with the conclusion, which gives the final figures itself.
      if (d.currentPhase === 'generating_report') return null;
      return `- Progresso: ${formatNumberPt(d.progress, 1)}% (${formatNumberPt(d.recordsProcessed)} contratos analisados, ${formatNumberPt(d.anomaliesDetected)} anomalias)\n`;
    }
    case 'AnomalyDetected':
      if (ordinal > ANOMALIES_ANNOUNCED_LIVE) return null;
      return `  - Anomalia: ${anomalyLine(event.data.anomaly)}\n`;
    case 'TrendsUpdated':
      return null;
    case 'TrendsAnalyzed':
      return '- Anita analisou as tendências de gasto.\n';
    case 'ReportDrafted':
      return `\n**Relatório de Tiradentes**\n\n${event.data.markdown.trim()}\n`;
    case 'InvestigationCompleted': {
      const d = event.data;
      return `\nInvestigação concluída em ${formatNumberPt(d.executionSeconds, 1)} s: ${formatNumberPt(d.recordsProcessed)} contratos analisados, ${formatNumberPt(d.totalAnomalies)} anomalias encontradas. Detalhes em \`/api/v1/investigations/${investigationId}\`.`;
    }
    case 'InvestigationFailed':
      return `\nA investigação falhou: ${event.data.message} (${event.data.errorCode}). Você pode pedir uma nova investigação.`;
    case 'InvestigationCancelled':
      return `\nA investigação foi cancelada: ${event.data.reason}.`;
    default:
      return assertNever(event, 'investigation event');
  }
}
