import type { AnomalyType, Severity } from '../model/anomaly.model.js';

/** Portuguese names for reports and rationales. */
export function anomalyTypeLabel(type: AnomalyType): string {
  switch (type) {
    case 'price_deviation':
      return 'Desvio de preço';
    case 'vendor_concentration':
      return 'Concentração em fornecedor';
    case 'temporal_pattern':
      return 'Padrão temporal atípico';
    case 'duplicate_contract':
      return 'Contrato duplicado';
    case 'amendment_over_limit':
      return 'Aditivo acima do limite legal';
    case 'split_purchase':
      return 'Fracionamento de compra';
    case 'benford_deviation':
      return 'Desvio da lei de Benford';
    default: {
      const unknown: never = type;
      return String(unknown);
    }
  }
}

export function severityLabel(severity: Severity): string {
  switch (severity) {
    case 'low':
      return 'baixa';
    case 'medium':
      return 'média';
    case 'high':
      return 'alta';
    case 'critical':
      return 'crítica';
    default: {
      const unknown: never = severity;
      return String(unknown);
    }
  }
}
