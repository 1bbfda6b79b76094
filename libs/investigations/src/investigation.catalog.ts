import { z } from 'zod';
import { ANOMALY_TYPES, anomalySchema, investigationFiltersShapeSchema, trendReportSchema } from '#analysis';
import { EventCatalog, defineEvent, upcaster } from '#eventsourcing';
import { INVESTIGATION_PHASES, type InvestigationEvent } from './investigation.events.js';

const phase = z.enum(INVESTIGATION_PHASES);
const progressCounts = {
  page: z.number(),
  progress: z.number(),
  currentPhase: phase,
  recordsProcessed: z.number(),
  anomaliesDetected: z.number(),
  totalEstimate: z.number().nullable(),
  at: z.string(),
};

/** ProgressReported version 1: `lastPage` said what version 2 calls `sourceExhausted`. */
const progressReportedV1 = z.object({ ...progressCounts, lastPage: z.boolean() });

/**
 * The investigation stream's events and their versions (docs/events.md). ProgressReported
 * is at version 2: version 1's `lastPage`, a boolean beside the state's numeric `lastPage`,
 * is read as `sourceExhausted`.
 */
export const investigationEventCatalog = new EventCatalog<InvestigationEvent>('investigation', {
  InvestigationStarted: defineEvent(
    'InvestigationStarted',
    z.object({
      investigationId: z.string(),
      query: z.string(),
      dataSource: z.string(),
      filters: investigationFiltersShapeSchema,
      anomalyTypes: z.array(z.enum(ANOMALY_TYPES)),
      startedAt: z.string(),
      notice: z.string().optional(),
    }),
  ),
  InvestigationPlanned: defineEvent(
    'InvestigationPlanned',
    z.object({
      detectors: z.array(z.enum(ANOMALY_TYPES)),
      phases: z.array(phase),
      rationale: z.string(),
      filters: investigationFiltersShapeSchema,
    }),
  ),
  PhaseStarted: defineEvent('PhaseStarted', z.object({ phase, previousPhase: phase.nullable(), at: z.string() })),
  ProgressReported: defineEvent('ProgressReported', z.object({ ...progressCounts, sourceExhausted: z.boolean() }), [
    upcaster(progressReportedV1, (v1) => ({
      // Field by field: a rest-and-spread copy costs several times the check itself.
      page: v1.page,
      progress: v1.progress,
      currentPhase: v1.currentPhase,
      recordsProcessed: v1.recordsProcessed,
      anomaliesDetected: v1.anomaliesDetected,
      totalEstimate: v1.totalEstimate,
      sourceExhausted: v1.lastPage,
      at: v1.at,
    })),
  ]),
  AnomalyDetected: defineEvent('AnomalyDetected', z.object({ anomaly: anomalySchema, at: z.string() })),
  TrendsUpdated: defineEvent(
    'TrendsUpdated',
    z.object({ page: z.number(), trends: trendReportSchema, at: z.string() }),
  ),
  TrendsAnalyzed: defineEvent('TrendsAnalyzed', z.object({ trends: trendReportSchema, at: z.string() })),
  ReportDrafted: defineEvent('ReportDrafted', z.object({ markdown: z.string(), at: z.string() })),
  InvestigationCompleted: defineEvent(
    'InvestigationCompleted',
    z.object({
      totalAnomalies: z.number(),
      recordsProcessed: z.number(),
      executionSeconds: z.number(),
      completedAt: z.string(),
    }),
  ),
  InvestigationFailed: defineEvent(
    'InvestigationFailed',
    z.object({
      errorCode: z.string(),
      message: z.string(),
      retryAfterSeconds: z.number().nullable(),
      failedAt: z.string(),
    }),
  ),
  InvestigationCancelled: defineEvent(
    'InvestigationCancelled',
    z.object({ reason: z.string(), cancelledBy: z.string(), cancelledAt: z.string() }),
  ),
});
