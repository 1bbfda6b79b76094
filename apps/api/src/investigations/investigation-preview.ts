import { parseInvestigationQuery, planInvestigation, requestFilters, type InvestigationPlan } from '#analysis';
import type { InvestigationFilters } from '#analysis';
import type { StartInvestigationBody } from './start-investigation.dto.js';

/** What an investigation would run with, read from its request before anything is started. */
export interface InvestigationPreview {
  readonly query: string;
  readonly data_source: string;
  readonly filters: InvestigationFilters;
  readonly plan: InvestigationPlan;
  readonly keywords: readonly string[];
  readonly category: string | null;
}

/** The same reading the worker makes of a started investigation: the query's filters, explicit ones winning, and Abaporu's plan. */
export function previewInvestigation(input: StartInvestigationBody): InvestigationPreview {
  const filters = requestFilters(input.query, input.filters);
  const { keywords, category } = parseInvestigationQuery(input.query);
  return {
    query: input.query,
    data_source: input.data_source,
    filters,
    plan: planInvestigation({ query: input.query, filters, requestedTypes: input.anomaly_types }),
    keywords,
    category: category ?? null,
  };
}
