import { createAnalysisSession, type AnalysisPlan, type AnalysisSession } from '../session/analysis.session.js';

/** Zumbi, the anomaly hunter: the detector session the investigation actor feeds page by page. */
export function createZumbi(plan: AnalysisPlan): AnalysisSession {
  return createAnalysisSession(plan);
}
