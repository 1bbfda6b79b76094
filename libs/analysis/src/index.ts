export type { Contract, Fornecedor, OrgaoMaximo, UnidadeGestora } from './model/contract.model.js';
export { buyerKey, contractDate, contractValue } from './model/contract.model.js';
export type { Anomaly, AnomalyType, Severity } from './model/anomaly.model.js';
export { ANOMALY_TYPES, SEVERITIES, isAnomalyType, severityFromScore } from './model/anomaly.model.js';
export type { InvestigationFilters } from './model/investigation-filters.model.js';
export { hasFilters, matchesFilters } from './model/investigation-filters.model.js';
export { anomalySchema, investigationFiltersShapeSchema, trendReportSchema } from './model/analysis-facts.schemas.js';

export { ORGAOS, orgaoByCode, type OrgaoEntry } from './catalog/orgaos.catalog.js';
export { OBJECT_CATEGORIES, type ObjectCategory } from './catalog/object-categories.catalog.js';
export { DISPENSA_LIMITS_BY_YEAR, dispensaLimitsFor, type DispensaLimits } from './catalog/dispensa-limits.catalog.js';

export type { ContractPage, ContractPageRequest, ContractSource } from './sources/contract-source.port.js';
export { pages } from './sources/contract-source.port.js';
export { SyntheticContractSource, type SyntheticSourceOptions } from './sources/synthetic/synthetic-contract.source.js';
export type { PlantedAnomaly } from './sources/synthetic/synthetic-labels.js';

export type { DetectorOptions, ResolvedDetectorOptions } from './detectors/detector-options.js';
export { DEFAULT_DETECTOR_OPTIONS } from './detectors/detector-options.js';
export { anomalyId } from './detectors/anomaly.factory.js';
export {
  createAnalysisSession,
  type AnalysisPlan,
  type AnalysisSession,
  type AnalysisStats,
} from './session/analysis.session.js';

export { formatBrl, formatNumberPt } from './text/number.formatter.js';
export { formatCnpj, isValidCnpj } from './text/cnpj.formatter.js';
export { normalizeText } from './text/text.normalizer.js';

export { parseInvestigationQuery, requestFilters, type ParsedQuery } from './query/query.parser.js';

export {
  planInvestigation,
  INVESTIGATION_PHASES,
  type InvestigationPhase,
  type InvestigationPlan,
  type PlanRequest,
} from './agents/abaporu.planner.js';
export { createZumbi } from './agents/zumbi.agent.js';
export {
  analyzeTrends,
  createTrendAccumulator,
  TREND_DIRECTIONS,
  type MonthlyPoint,
  type TrendAccumulator,
  type TrendDirection,
  type TrendReport,
} from './agents/anita.trends.js';
export { writeReport, describeFilters, type ReportInput } from './agents/tiradentes.reporter.js';
export { anomalyTypeLabel, severityLabel } from './agents/anomaly-labels.js';
