import type { Contract } from '../model/contract.model.js';

export interface ContractSpec {
  readonly id: string;
  readonly objeto?: string;
  readonly value?: number;
  readonly finalValue?: number;
  readonly date?: string | null;
  readonly buyer?: string;
  readonly orgao?: string;
  readonly vendor?: string;
  readonly modalidade?: string;
}

/** A Portal-shaped contract for hand-made test cases; only what a case cares about needs saying. */
export function contract(spec: ContractSpec): Contract {
  const value = spec.value ?? 100_000;
  const date = spec.date === undefined ? '2024-05-10' : spec.date;
  return {
    id: spec.id,
    numero: `${spec.id}/2024`,
    objeto: spec.objeto ?? 'Aquisição de material de expediente: papel A4',
    valorInicialCompra: value,
    valorFinalCompra: spec.finalValue ?? value,
    dataAssinatura: date,
    dataInicioVigencia: date,
    dataFimVigencia: date === null ? null : '2025-05-10',
    situacaoContrato: 'Vigente',
    modalidadeCompra: spec.modalidade ?? 'Pregão Eletrônico',
    fornecedor: { nome: `Fornecedor ${spec.vendor ?? 'A'}`, cnpjFormatado: spec.vendor ?? '11.111.111/0001-11' },
    unidadeGestora: {
      codigo: spec.buyer ?? '250001',
      nome: `Unidade ${spec.buyer ?? '250001'}`,
      orgaoMaximo: { codigo: spec.orgao ?? '36000', sigla: 'MS', nome: 'Ministério da Saúde' },
    },
  };
}

/** n contracts built from their index. */
export function contracts(n: number, build: (i: number) => ContractSpec): Contract[] {
  return Array.from({ length: n }, (_, i) => contract(build(i)));
}

/** A deterministic spread of values around a centre, for categories with a realistic median and MAD. */
export function spread(i: number, centre: number): number {
  const offsets = [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3, -0.15, 0.15, 0.05];
  return Math.round(centre * Math.exp(offsets[i % offsets.length] ?? 0) * 100) / 100;
}
