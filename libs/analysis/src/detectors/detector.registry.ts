import type { AnomalyType } from '../model/anomaly.model.js';
import { AmendmentOverLimitDetector } from './amendment-over-limit.detector.js';
import { BenfordDeviationDetector } from './benford-deviation.detector.js';
import type { ResolvedDetectorOptions } from './detector-options.js';
import type { Detector } from './detector.port.js';
import { DuplicateContractDetector } from './duplicate-contract.detector.js';
import { PriceDeviationDetector } from './price-deviation.detector.js';
import { SplitPurchaseDetector } from './split-purchase.detector.js';
import { TemporalPatternDetector } from './temporal-pattern.detector.js';
import { VendorConcentrationDetector } from './vendor-concentration.detector.js';

export function createDetector(type: AnomalyType, options: ResolvedDetectorOptions): Detector {
  switch (type) {
    case 'price_deviation':
      return new PriceDeviationDetector(options.priceDeviation);
    case 'vendor_concentration':
      return new VendorConcentrationDetector(options.vendorConcentration);
    case 'temporal_pattern':
      return new TemporalPatternDetector(options.temporalPattern);
    case 'duplicate_contract':
      return new DuplicateContractDetector(options.duplicateContract);
    case 'amendment_over_limit':
      return new AmendmentOverLimitDetector(options.amendmentOverLimit);
    case 'split_purchase':
      return new SplitPurchaseDetector(options.splitPurchase);
    case 'benford_deviation':
      return new BenfordDeviationDetector(options.benfordDeviation);
    default: {
      const unknown: never = type;
      throw new Error(`unknown anomaly type: ${String(unknown)}`);
    }
  }
}
