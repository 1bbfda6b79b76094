/** Órgão superior as the Portal da Transparência names it (SIAFI code, e.g. '36000'). */
export interface OrgaoMaximo {
  readonly codigo: string;
  readonly sigla: string;
  readonly nome: string;
}

export interface UnidadeGestora {
  readonly codigo: string;
  readonly nome: string;
  readonly orgaoMaximo: OrgaoMaximo;
}

export interface Fornecedor {
  readonly nome: string;
  /** `00.000.000/0000-00`; a CPF-formatted string for individuals. */
  readonly cnpjFormatado: string;
}

/**
 * One record of the Portal da Transparência `/contratos` endpoint, reduced to what the
 * analysis needs. Values are BRL; dates are ISO `YYYY-MM-DD` or null when the source has none.
 */
export interface Contract {
  readonly id: string;
  readonly numero: string;
  readonly objeto: string;
  readonly valorInicialCompra: number;
  readonly valorFinalCompra: number;
  readonly dataAssinatura: string | null;
  readonly dataInicioVigencia: string | null;
  readonly dataFimVigencia: string | null;
  readonly situacaoContrato: string;
  readonly modalidadeCompra: string;
  readonly fornecedor: Fornecedor;
  readonly unidadeGestora: UnidadeGestora;
}

const usable = (value: number): boolean => Number.isFinite(value) && value > 0;

/** What was spent: the final value after amendments, or the initial one when the final is missing. */
export function contractValue(contract: Contract): number {
  if (usable(contract.valorFinalCompra)) return contract.valorFinalCompra;
  return usable(contract.valorInicialCompra) ? contract.valorInicialCompra : 0;
}

/** The date that places a contract in time: signature, else start of validity. */
export function contractDate(contract: Contract): string | null {
  return contract.dataAssinatura ?? contract.dataInicioVigencia ?? null;
}

/** Buyer identity: the managing unit, falling back to its ministry when the unit has no code. */
export function buyerKey(contract: Contract): string {
  return contract.unidadeGestora.codigo || contract.unidadeGestora.orgaoMaximo.codigo || 'sem-unidade';
}
