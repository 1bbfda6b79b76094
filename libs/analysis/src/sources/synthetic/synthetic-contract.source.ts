import type { AnomalyType } from '../../model/anomaly.model.js';
import type { Contract } from '../../model/contract.model.js';
import { hasFilters, matchesFilters, type InvestigationFilters } from '../../model/investigation-filters.model.js';
import {
  assertPageRequest,
  type ContractPage,
  type ContractPageRequest,
  type ContractSource,
} from '../contract-source.port.js';
import { SyntheticContractFactory } from './synthetic-contract.factory.js';
import { labelWorld, type SyntheticLabels } from './synthetic-labels.js';
import { SyntheticWorld } from './synthetic-world.js';

export interface SyntheticSourceOptions {
  readonly seed: string;
  readonly totalContracts: number;
  /** Year of the signatures (default 2024). */
  readonly year?: number;
  /** Share of contracts carrying a planted anomaly (default 0.02). */
  readonly anomalyRate?: number;
}

const ESTIMATE_SAMPLE = 2_000;

/**
 * Seeded synthetic Portal-like contracts (the default source). Contract i is a pure function
 * of (seed, i), so any page costs O(pageSize) and is identical in every process. Filters are
 * applied within the page window, so a filtered page may hold fewer than `pageSize` contracts.
 */
export class SyntheticContractSource implements ContractSource {
  readonly world: SyntheticWorld;
  private readonly factory: SyntheticContractFactory;
  private readonly estimates = new Map<string, number>();
  private labels: SyntheticLabels | null = null;

  constructor(private readonly options: SyntheticSourceOptions) {
    if (!Number.isInteger(options.totalContracts) || options.totalContracts < 0) {
      throw new RangeError(`totalContracts must be a non-negative integer, got ${options.totalContracts}`);
    }
    const anomalyRate = options.anomalyRate ?? 0.02;
    if (!(anomalyRate >= 0 && anomalyRate <= 0.5))
      throw new RangeError(`anomalyRate must be within 0..0.5, got ${anomalyRate}`);
    this.world = new SyntheticWorld({
      seed: options.seed,
      totalContracts: options.totalContracts,
      year: options.year ?? 2024,
      anomalyRate,
    });
    this.factory = new SyntheticContractFactory(this.world);
  }

  get totalContracts(): number {
    return this.options.totalContracts;
  }

  contractAt(index: number): Contract {
    if (!Number.isInteger(index) || index < 0 || index >= this.totalContracts)
      throw new RangeError(`no contract at index ${index}`);
    return this.factory.contractAt(index);
  }

  async fetchPage(request: ContractPageRequest): Promise<ContractPage> {
    request.signal?.throwIfAborted();
    return this.page(request.filters, request.page, request.pageSize);
  }

  /** The same as fetchPage, without the promise: the whole computation is synchronous. */
  page(filters: InvestigationFilters, page: number, pageSize: number): ContractPage {
    assertPageRequest({ filters, page, pageSize });
    const start = Math.min(this.totalContracts, (page - 1) * pageSize);
    const end = Math.min(this.totalContracts, start + pageSize);
    const filtered = hasFilters(filters);
    const contracts: Contract[] = [];
    for (let i = start; i < end; i++) {
      const contract = this.factory.contractAt(i);
      if (!filtered || matchesFilters(contract, filters)) contracts.push(contract);
    }
    return { contracts, hasMore: end < this.totalContracts, totalEstimate: this.estimate(filters) };
  }

  /** Planted anomalies by contract id; buyer-level ones label the buyer's contracts that carry them. */
  groundTruth(): Map<string, AnomalyType[]> {
    return this.labelled().byContract;
  }

  /** Planted anomalies as units (a contract, a group, a buyer), for precision and recall. */
  plantedAnomalies(): SyntheticLabels['planted'] {
    return this.labelled().planted;
  }

  private labelled(): SyntheticLabels {
    this.labels ??= labelWorld(this.world, new SyntheticContractFactory(this.world), this.totalContracts);
    return this.labels;
  }

  /** Matching share of an evenly spaced sample, scaled up: deterministic, and cheap whatever the size. */
  private estimate(filters: InvestigationFilters): number {
    if (!hasFilters(filters)) return this.totalContracts;
    const key = JSON.stringify(filters);
    const known = this.estimates.get(key);
    if (known !== undefined) return known;
    const sample = Math.min(ESTIMATE_SAMPLE, this.totalContracts);
    const factory = new SyntheticContractFactory(this.world);
    let hits = 0;
    for (let s = 0; s < sample; s++) {
      if (matchesFilters(factory.contractAt(Math.floor((s * this.totalContracts) / sample)), filters)) hits++;
    }
    const estimate = sample === 0 ? 0 : Math.round((hits / sample) * this.totalContracts);
    this.estimates.set(key, estimate);
    return estimate;
  }
}
