import { z, type ZodType } from 'zod';
import { TREND_DIRECTIONS, type TrendReport } from '../agents/anita.trends.js';
import { ANOMALY_TYPES, SEVERITIES, type Anomaly } from './anomaly.model.js';
import type { InvestigationFilters } from './investigation-filters.model.js';

/**
 * The shapes of the analysis facts that travel inside events, for the catalogs that check
 * stored events. They check shape only: what a request may ask is checked at the edge.
 */
export const anomalySchema: ZodType<Anomaly> = z.object({
  anomaly_id: z.string(),
  anomaly_type: z.enum(ANOMALY_TYPES),
  severity: z.enum(SEVERITIES),
  score: z.number(),
  contract_id: z.string(),
  contract_ids: z.array(z.string()),
  explanation: z.string(),
  evidence: z.record(z.string(), z.union([z.number(), z.string()])),
});

export const investigationFiltersShapeSchema: ZodType<InvestigationFilters> = z.object({
  orgao: z.string().optional(),
  start_date: z.string().optional(),
  end_date: z.string().optional(),
  min_value: z.number().optional(),
  max_value: z.number().optional(),
  cnpj: z.string().optional(),
});

const nullableNumber = z.number().nullable();

export const trendReportSchema: ZodType<TrendReport> = z.object({
  months: z.array(
    z.object({
      month: z.string(),
      count: z.number(),
      value: z.number(),
      valueGrowth: nullableNumber,
      countGrowth: nullableNumber,
    }),
  ),
  totalContracts: z.number(),
  totalValue: z.number(),
  undatedContracts: z.number(),
  peakMonth: z.object({ month: z.string(), value: z.number(), count: z.number() }).nullable(),
  decemberShare: nullableNumber,
  averageMonthlyGrowth: nullableNumber,
  direction: z.enum(TREND_DIRECTIONS),
  summary: z.string(),
});
