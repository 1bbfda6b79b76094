import type { DetectorOptions } from '../detectors/detector-options.js';
import { resolveDetectorOptions } from '../detectors/detector-options.js';
import type { Detector } from '../detectors/detector.port.js';
import { createDetector } from '../detectors/detector.registry.js';
import { FactsBuilder } from '../detectors/contract-facts.builder.js';
import { ANOMALY_TYPES, emptyCountByType, type Anomaly, type AnomalyType } from '../model/anomaly.model.js';
import type { Contract } from '../model/contract.model.js';

export interface AnalysisPlan {
  readonly detectors: readonly AnomalyType[];
  readonly options?: DetectorOptions;
}

export interface AnalysisStats {
  readonly recordsProcessed: number;
  readonly anomaliesDetected: number;
  readonly byType: Record<AnomalyType, number>;
  /** Sum of what was spent (final value, else initial), BRL. */
  readonly totalValue: number;
}

export interface AnalysisSession {
  /** Anomalies first provable with this batch. */
  feed(contracts: readonly Contract[]): Anomaly[];
  /** Anomalies that need the whole data set; later calls return nothing. */
  finish(): Anomaly[];
  stats(): AnalysisStats;
}

class DetectorSession implements AnalysisSession {
  private readonly facts = new FactsBuilder();
  private readonly emitted = new Set<string>();
  private readonly byType = emptyCountByType();
  private records = 0;
  private totalValue = 0;
  private finished = false;

  constructor(private readonly detectors: readonly Detector[]) {}

  feed(contracts: readonly Contract[]): Anomaly[] {
    if (this.finished) throw new Error('AnalysisSession.feed called after finish()');
    const found: Anomaly[] = [];
    for (const contract of contracts) {
      const facts = this.facts.build(contract);
      this.records++;
      this.totalValue += facts.value;
      for (const detector of this.detectors) detector.observe(facts, found);
    }
    return this.keepNew(found);
  }

  finish(): Anomaly[] {
    if (this.finished) return [];
    this.finished = true;
    const found: Anomaly[] = [];
    for (const detector of this.detectors) detector.finish(found);
    return this.keepNew(found);
  }

  stats(): AnalysisStats {
    return {
      recordsProcessed: this.records,
      anomaliesDetected: this.emitted.size,
      byType: { ...this.byType },
      totalValue: Math.round(this.totalValue * 100) / 100,
    };
  }

  /** The id is a hash of type and contracts: a finding reached twice is reported once. */
  private keepNew(found: Anomaly[]): Anomaly[] {
    const fresh: Anomaly[] = [];
    for (const anomaly of found) {
      if (this.emitted.has(anomaly.anomaly_id)) continue;
      this.emitted.add(anomaly.anomaly_id);
      this.byType[anomaly.anomaly_type]++;
      fresh.push(anomaly);
    }
    return fresh;
  }
}

/** Detectors run in the canonical ANOMALY_TYPES order whatever the plan's order, so output order is stable. */
export function createAnalysisSession(plan: AnalysisPlan): AnalysisSession {
  const options = resolveDetectorOptions(plan.options);
  const wanted = new Set(plan.detectors);
  const detectors = ANOMALY_TYPES.filter((type) => wanted.has(type)).map((type) => createDetector(type, options));
  return new DetectorSession(detectors);
}
