import { SyntheticContractSource, type ContractSource } from '#analysis';
import { PortalTransparenciaSource, type Settings } from '#platform';

/**
 * Which contracts an investigation reads. `contracts` means the Portal da Transparência
 * when an API key is configured, else the synthetic generator seeded by the investigation
 * id, so that every worker re-reads exactly the same pages.
 */
export function contractSourceResolver(settings: Settings): (dataSource: string, investigationId: string) => ContractSource {
  const portal = settings.PORTAL_TRANSPARENCIA_API_KEY ? new PortalTransparenciaSource({ apiKey: settings.PORTAL_TRANSPARENCIA_API_KEY }) : null;
  return (dataSource, investigationId) => {
    if (dataSource === 'portal_transparencia' || (dataSource === 'contracts' && portal)) {
      if (!portal) throw new Error('data_source portal_transparencia needs PORTAL_TRANSPARENCIA_API_KEY');
      return portal;
    }
    return new SyntheticContractSource({ seed: investigationId, totalContracts: settings.SYNTHETIC_CONTRACTS });
  };
}
