import type { InvestigationPhase } from './investigation.events.js';

/** Share of the bar each phase owns, so progress only ever moves forward. */
const PHASE_SPAN: Record<InvestigationPhase, readonly [number, number]> = {
  data_retrieval: [0, 5],
  analyzing_contracts: [5, 85],
  anomaly_detection: [85, 95],
  generating_report: [95, 100],
};

/** Percent complete, one decimal, from how far the current phase has gone (0..1). */
export function progressPercent(phase: InvestigationPhase, phaseFraction: number): number {
  const [from, to] = PHASE_SPAN[phase];
  const fraction = Math.min(1, Math.max(0, phaseFraction));
  return Math.round((from + (to - from) * fraction) * 10) / 10;
}

/** Fraction of the analysis done; with no total known it approaches 1 without reaching it. */
export function analysisFraction(records: number, totalEstimate: number | null, page: number): number {
  if (totalEstimate && totalEstimate > 0) return records / totalEstimate;
  return 1 - 1 / (1 + page / 10);
}
