import { DISPENSA_LIMITS_BY_YEAR, type DispensaLimits } from '../catalog/dispensa-limits.catalog.js';

export interface PriceDeviationOptions {
  /** Contracts a category needs before its median means anything. */
  readonly minSample: number;
  /** Robust z-score (on log values) from which a price is flagged. */
  readonly zThreshold: number;
}
export interface VendorConcentrationOptions {
  readonly shareThreshold: number;
  readonly minBuyerContracts: number;
  readonly minVendorContracts: number;
  /** Share of the buyer's contracts the vendor must also hold: one huge contract is not capture. */
  readonly minVendorCountShare: number;
}
export interface TemporalPatternOptions {
  readonly minYearContracts: number;
  readonly zThreshold: number;
  readonly minRatio: number;
  /** Contracts of the other buyers needed to use them as the reference calendar. */
  readonly minReferenceContracts: number;
  /** December's weight relative to an ordinary month when no reference exists. */
  readonly decemberPriorWeight: number;
}
export interface DuplicateContractOptions {
  readonly jaccardThreshold: number;
  readonly maxDaysApart: number;
  /** Largest relative gap between the two values (0.05 = 5%). */
  readonly maxValueGap: number;
  /** Most recent contracts remembered as candidates (rounded up to a power of two). */
  readonly windowSize: number;
  /** Slots of the bucket table (rounded up to a power of two); a new key overwrites an older one. */
  readonly maxBuckets: number;
  readonly bucketSize: number;
}
export interface AmendmentOptions {
  /** Art. 125: 25% of the initial value. */
  readonly limit: number;
  /** Art. 125: 50% for reforma de edifício ou de equipamento. */
  readonly reformaLimit: number;
}
export interface SplitPurchaseOptions {
  readonly limitsByYear: Readonly<Record<number, DispensaLimits>>;
  readonly minContracts: number;
}
export interface BenfordOptions {
  readonly minSample: number;
  /** Nigrini's first-digit nonconformity bound. */
  readonly madThreshold: number;
  /** How many times the MAD expected from sampling alone a buyer must exceed. */
  readonly noiseFactor: number;
}

export interface ResolvedDetectorOptions {
  readonly priceDeviation: PriceDeviationOptions;
  readonly vendorConcentration: VendorConcentrationOptions;
  readonly temporalPattern: TemporalPatternOptions;
  readonly duplicateContract: DuplicateContractOptions;
  readonly amendmentOverLimit: AmendmentOptions;
  readonly splitPurchase: SplitPurchaseOptions;
  readonly benfordDeviation: BenfordOptions;
}

export type DetectorOptions = { readonly [K in keyof ResolvedDetectorOptions]?: Partial<ResolvedDetectorOptions[K]> };

export const DEFAULT_DETECTOR_OPTIONS: ResolvedDetectorOptions = {
  priceDeviation: { minSample: 30, zThreshold: 4 },
  vendorConcentration: { shareThreshold: 0.7, minBuyerContracts: 10, minVendorContracts: 3, minVendorCountShare: 0.25 },
  temporalPattern: {
    minYearContracts: 30,
    zThreshold: 4,
    minRatio: 2,
    minReferenceContracts: 300,
    decemberPriorWeight: 1.5,
  },
  duplicateContract: {
    jaccardThreshold: 0.85,
    maxDaysApart: 30,
    maxValueGap: 0.05,
    windowSize: 65_536,
    maxBuckets: 131_072,
    bucketSize: 4,
  },
  amendmentOverLimit: { limit: 0.25, reformaLimit: 0.5 },
  splitPurchase: { limitsByYear: DISPENSA_LIMITS_BY_YEAR, minContracts: 2 },
  benfordDeviation: { minSample: 100, madThreshold: 0.015, noiseFactor: 2 },
};

export function resolveDetectorOptions(options: DetectorOptions = {}): ResolvedDetectorOptions {
  const d = DEFAULT_DETECTOR_OPTIONS;
  return {
    priceDeviation: { ...d.priceDeviation, ...options.priceDeviation },
    vendorConcentration: { ...d.vendorConcentration, ...options.vendorConcentration },
    temporalPattern: { ...d.temporalPattern, ...options.temporalPattern },
    duplicateContract: { ...d.duplicateContract, ...options.duplicateContract },
    amendmentOverLimit: { ...d.amendmentOverLimit, ...options.amendmentOverLimit },
    splitPurchase: { ...d.splitPurchase, ...options.splitPurchase },
    benfordDeviation: { ...d.benfordDeviation, ...options.benfordDeviation },
  };
}
