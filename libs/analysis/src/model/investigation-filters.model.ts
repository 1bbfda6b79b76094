import { contractDate, contractValue, type Contract } from './contract.model.js';

/** Filters as the HTTP API receives them (snake_case); `orgao` is a SIAFI code, dates ISO. */
export interface InvestigationFilters {
  orgao?: string;
  start_date?: string;
  end_date?: string;
  min_value?: number;
  max_value?: number;
  /** `00.000.000/0000-00` or 14 digits. */
  cnpj?: string;
}

const digits = (text: string): string => text.replace(/\D/g, '');

function inPeriod(contract: Contract, filters: InvestigationFilters): boolean {
  if (!filters.start_date && !filters.end_date) return true;
  const date = contractDate(contract);
  if (!date) return false;
  if (filters.start_date && date < filters.start_date) return false;
  return !(filters.end_date && date > filters.end_date);
}

function inValueRange(contract: Contract, filters: InvestigationFilters): boolean {
  const value = contractValue(contract);
  if (filters.min_value !== undefined && value < filters.min_value) return false;
  return !(filters.max_value !== undefined && value > filters.max_value);
}

/** True when the contract satisfies every filter given; a contract without a date fails any period filter. */
export function matchesFilters(contract: Contract, filters: InvestigationFilters): boolean {
  if (filters.orgao && contract.unidadeGestora.orgaoMaximo.codigo !== filters.orgao) return false;
  if (filters.cnpj && digits(contract.fornecedor.cnpjFormatado) !== digits(filters.cnpj)) return false;
  return inPeriod(contract, filters) && inValueRange(contract, filters);
}

export function hasFilters(filters: InvestigationFilters): boolean {
  return Object.values(filters).some((value) => value !== undefined && value !== '');
}
