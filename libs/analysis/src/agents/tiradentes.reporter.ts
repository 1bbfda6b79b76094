import { orgaoByCode } from '../catalog/orgaos.catalog.js';
import { ANOMALY_TYPES, SEVERITIES, type Anomaly, type Severity } from '../model/anomaly.model.js';
import type { InvestigationFilters } from '../model/investigation-filters.model.js';
import type { AnalysisStats } from '../session/analysis.session.js';
import { formatBrl, formatNumberPt, formatPercentPt } from '../text/number.formatter.js';
import { monthLabelPt } from '../util/iso-date.js';
import { anomalyTypeLabel, severityLabel } from './anomaly-labels.js';
import type { TrendReport } from './anita.trends.js';

export interface ReportInput {
  readonly query: string;
  readonly filters: InvestigationFilters;
  readonly stats: AnalysisStats;
  readonly anomalies: readonly Anomaly[];
  readonly trends: TrendReport;
  readonly executionSeconds: number;
  /** What the reader must know about the data first (synthetic contracts standing in for the Portal's). */
  readonly notice?: string | null;
}

const TOP_FINDINGS = 10;
const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 3, high: 2, medium: 1, low: 0 };
const ptDate = (iso: string): string => iso.split('-').reverse().join('/');

/** Tiradentes: the investigation's report in Portuguese markdown, from facts already recorded. */
export function writeReport(input: ReportInput): string {
  return [
    '# Relatório da investigação',
    '',
    `**Consulta:** ${input.query.trim() || '(sem texto)'}`,
    `**Filtros:** ${describeFilters(input.filters)}`,
    '',
    ...(input.notice ? [`> **Atenção:** ${input.notice}`, ''] : []),
    ...analysedSection(input),
    ...anomaliesSection(input.anomalies),
    ...findingsSection(input.anomalies),
    ...trendsSection(input.trends),
    ...caveatsSection(input),
  ].join('\n');
}

export function describeFilters(filters: InvestigationFilters): string {
  const parts: string[] = [];
  if (filters.orgao) {
    const orgao = orgaoByCode(filters.orgao);
    parts.push(`órgão ${orgao ? `${orgao.nome} (${orgao.codigo})` : filters.orgao}`);
  }
  if (filters.start_date || filters.end_date) {
    const from = filters.start_date ? `de ${ptDate(filters.start_date)}` : '';
    const to = filters.end_date ? `até ${ptDate(filters.end_date)}` : '';
    parts.push(`período ${[from, to].filter(Boolean).join(' ')}`);
  }
  if (filters.min_value !== undefined) parts.push(`valor a partir de ${formatBrl(filters.min_value)}`);
  if (filters.max_value !== undefined) parts.push(`valor até ${formatBrl(filters.max_value)}`);
  if (filters.cnpj) parts.push(`fornecedor CNPJ ${filters.cnpj}`);
  return parts.length > 0 ? parts.join('; ') : 'nenhum';
}

function analysedSection(input: ReportInput): string[] {
  const { stats, trends } = input;
  const lines = [
    '## O que foi analisado',
    '',
    `- ${formatNumberPt(stats.recordsProcessed)} contratos, somando ${formatBrl(stats.totalValue)}.`,
  ];
  const first = trends.months[0];
  const last = trends.months[trends.months.length - 1];
  if (first && last) lines.push(`- Assinaturas de ${monthLabelPt(first.month)} a ${monthLabelPt(last.month)}.`);
  lines.push(`- Tempo de execução: ${formatNumberPt(input.executionSeconds, 1)} s.`, '');
  return lines;
}

function anomaliesSection(anomalies: readonly Anomaly[]): string[] {
  const lines = ['## Anomalias encontradas', ''];
  if (anomalies.length === 0) return [...lines, 'Nenhuma anomalia foi encontrada com os critérios aplicados.', ''];
  const bySeverity = SEVERITIES.map((s) => `${severityLabel(s)}: ${anomalies.filter((a) => a.severity === s).length}`);
  lines.push(`Total: ${anomalies.length} (${bySeverity.reverse().join(', ')}).`, '');
  lines.push('| Tipo | Total | Crítica | Alta | Média | Baixa |', '|---|---:|---:|---:|---:|---:|');
  for (const type of ANOMALY_TYPES) {
    const ofType = anomalies.filter((a) => a.anomaly_type === type);
    if (ofType.length === 0) continue;
    const count = (s: Severity): number => ofType.filter((a) => a.severity === s).length;
    lines.push(
      `| ${anomalyTypeLabel(type)} | ${ofType.length} | ${count('critical')} | ${count('high')} | ${count('medium')} | ${count('low')} |`,
    );
  }
  return [...lines, ''];
}

function findingsSection(anomalies: readonly Anomaly[]): string[] {
  if (anomalies.length === 0) return [];
  const top = [...anomalies]
    .sort(
      (a, b) =>
        SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
        b.score - a.score ||
        a.anomaly_id.localeCompare(b.anomaly_id),
    )
    .slice(0, TOP_FINDINGS);
  const lines = ['## Principais achados', ''];
  top.forEach((a, i) => {
    lines.push(
      `${i + 1}. **${anomalyTypeLabel(a.anomaly_type)}** (${severityLabel(a.severity)}, pontuação ${formatNumberPt(a.score, 2)}): ${a.explanation}`,
    );
  });
  return [...lines, ''];
}

function trendsSection(trends: TrendReport): string[] {
  const lines = ['## Tendências', ''];
  if (trends.peakMonth) {
    const peak = trends.peakMonth;
    lines.push(`- Mês de pico: ${monthLabelPt(peak.month)}, com ${peak.count} contratos e ${formatBrl(peak.value)}.`);
  }
  if (trends.decemberShare !== null)
    lines.push(`- Dezembro concentra ${formatPercentPt(trends.decemberShare)} do valor com data.`);
  if (trends.averageMonthlyGrowth !== null)
    lines.push(`- Variação mensal média do valor: ${formatPercentPt(trends.averageMonthlyGrowth)}.`);
  lines.push(`- Tendência do valor mensal: ${trends.direction}.`, '');
  return lines;
}

function caveatsSection(input: ReportInput): string[] {
  const lines = [
    '## Ressalvas',
    '',
    '- Anomalias são indícios estatísticos para orientar a auditoria, não provas de irregularidade.',
    '- Valores e datas vêm da fonte consultada e não foram conferidos com os processos originais.',
  ];
  if (input.trends.undatedContracts > 0) {
    lines.push(
      `- ${input.trends.undatedContracts} contratos sem data ficaram fora das análises temporais e de fracionamento.`,
    );
  }
  if (input.stats.recordsProcessed < 100) {
    lines.push(
      '- Poucos contratos: concentração, Benford e padrões temporais exigem amostras maiores para serem conclusivos.',
    );
  }
  return [...lines, ''];
}
