import { SyntheticContractSource, type ContractSource } from '#analysis';
import { PortalTransparenciaError, PortalTransparenciaSource, type ContractSettings } from '#platform';
import type { RunFailure } from './investigations/investigation-runner.js';

/**
 * Which contracts an investigation reads. `contracts` means the Portal da Transparência
 * when an API key is configured, else the synthetic generator seeded by the investigation
 * id, so that every worker re-reads exactly the same pages.
 */
export function contractSourceResolver(
  contracts: ContractSettings,
): (dataSource: string, investigationId: string) => ContractSource {
  const key = contracts.portalApiKey;
  const portal = key ? new PortalTransparenciaSource({ apiKey: key, baseUrl: contracts.portalBaseUrl }) : null;
  return (dataSource, investigationId) => {
    if (dataSource === 'portal_transparencia' || (dataSource === 'contracts' && portal)) {
      if (!portal)
        throw new PortalTransparenciaError(
          'missing_api_key',
          'data_source portal_transparencia needs PORTAL_TRANSPARENCIA_API_KEY',
        );
      return portal;
    }
    return new SyntheticContractSource({ seed: investigationId, totalContracts: contracts.syntheticContracts });
  };
}

/** Told to whoever starts, watches or reads about an investigation of synthetic contracts standing in for real ones. */
export const SYNTHETIC_STAND_IN_NOTICE =
  'Este servidor não tem PORTAL_TRANSPARENCIA_API_KEY: data_source "contracts" analisa contratos sintéticos, ' +
  'gerados para demonstração, e não dados reais do Portal da Transparência.';

/** The notice an investigation of `dataSource` starts with on these settings; null when its data is what it says. */
export function contractSourceNotice(contracts: ContractSettings): (dataSource: string) => string | null {
  const standIn = !contracts.portalApiKey;
  return (dataSource) => (standIn && dataSource === 'contracts' ? SYNTHETIC_STAND_IN_NOTICE : null);
}

const PERMANENT_PORTAL_ERRORS = new Set(['missing_api_key', 'invalid_api_key', 'missing_filter', 'bad_request']);

/** Source errors no redelivery can fix end the investigation at once, with the source's reason. */
export function classifySourceFailure(error: unknown, lastDelivery: boolean): RunFailure | null {
  if (!(error instanceof PortalTransparenciaError)) return null;
  if (!PERMANENT_PORTAL_ERRORS.has(error.code) && !lastDelivery) return null;
  return {
    errorCode: `DATA_SOURCE_${error.code.toUpperCase()}`,
    message: error.message,
    retryAfterSeconds: error.retryAfterSeconds,
  };
}
