import type { Contract } from '../model/contract.model.js';
import type { InvestigationFilters } from '../model/investigation-filters.model.js';

export interface ContractPageRequest {
  readonly filters: InvestigationFilters;
  /** 1-based. */
  readonly page: number;
  readonly pageSize: number;
  readonly signal?: AbortSignal;
}

export interface ContractPage {
  readonly contracts: Contract[];
  readonly hasMore: boolean;
  readonly totalEstimate?: number;
}

/**
 * Where contracts come from. Random access and deterministic: the same request always
 * returns the same contracts, because after a crash another process re-reads pages 1..n to
 * rebuild its detectors and must see exactly what the first one saw.
 */
export interface ContractSource {
  fetchPage(request: ContractPageRequest): Promise<ContractPage>;
}

/** Every page in order until the source says there is no more; empty pages are skipped, not yielded. */
export async function* pages(
  source: ContractSource,
  filters: InvestigationFilters,
  pageSize: number,
  signal?: AbortSignal,
): AsyncIterable<Contract[]> {
  for (let page = 1; ; page++) {
    signal?.throwIfAborted();
    const result = await source.fetchPage({ filters, page, pageSize, ...(signal ? { signal } : {}) });
    if (result.contracts.length > 0) yield result.contracts;
    if (!result.hasMore) return;
  }
}

export function assertPageRequest(request: ContractPageRequest): void {
  if (!Number.isInteger(request.page) || request.page < 1)
    throw new RangeError(`page must be an integer >= 1, got ${request.page}`);
  if (!Number.isInteger(request.pageSize) || request.pageSize < 1) {
    throw new RangeError(`pageSize must be an integer >= 1, got ${request.pageSize}`);
  }
}
