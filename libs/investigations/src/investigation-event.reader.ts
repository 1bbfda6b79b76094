import { categoryReader } from '#eventsourcing';
import {
  INVESTIGATION_CATEGORY,
  type InvestigationEvent,
  type InvestigationEventType,
} from './investigation.events.js';

const KNOWN: Readonly<Record<InvestigationEventType, true>> = {
  InvestigationStarted: true,
  InvestigationPlanned: true,
  PhaseStarted: true,
  ProgressReported: true,
  AnomalyDetected: true,
  TrendsAnalyzed: true,
  ReportDrafted: true,
  InvestigationCompleted: true,
  InvestigationFailed: true,
  InvestigationCancelled: true,
};

/** The one place the read models turn a stored event into an investigation event. */
export const readInvestigationEvent = categoryReader<InvestigationEvent>(INVESTIGATION_CATEGORY, KNOWN);
