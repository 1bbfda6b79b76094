import { SyntheticContractSource, type ContractSource } from '#analysis';
import type { Settings } from '#platform';

/**
 * Which contracts an investigation reads: the synthetic generator seeded by the
 * investigation id, so that every worker re-reads exactly the same pages.
 */
export function contractSourceResolver(settings: Settings): (dataSource: string, investigationId: string) => ContractSource {
  return (dataSource, investigationId) => {
    if (dataSource === 'portal_transparencia') throw new Error('data_source portal_transparencia is not available on this server');
    return new SyntheticContractSource({ seed: investigationId, totalContracts: settings.SYNTHETIC_CONTRACTS });
  };
}
