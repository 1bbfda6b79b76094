import type { Contract } from '#analysis';

/** A record that cannot become a Contract; `field` names what is wrong. */
export class ContractRecordError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ContractRecordError';
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const objectAt = (record: Json, key: string): Json => {
  const value = record[key];
  return isObject(value) ? value : {};
};

function text(record: Json, key: string): string {
  const value = record[key];
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  if (isObject(value) && typeof value['descricao'] === 'string') return value['descricao'].trim();
  throw new ContractRecordError(key, `${key} deveria ser texto`);
}

/** Numbers as the Portal sends them, or as a spreadsheet writes them ("1.234,56", "1234.56"). */
function money(record: Json, key: string): number {
  const value = record[key];
  if (value === null || value === undefined || value === '') return 0;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const raw = value.replace(/[R$\s]/g, '');
    const normalized = raw.includes(',') ? raw.replace(/\./g, '').replace(',', '.') : raw;
    const parsed = Number(normalized);
    if (Number.isFinite(parsed)) return parsed;
  }
  throw new ContractRecordError(key, `${key} não é um número: ${JSON.stringify(value)}`);
}

/** ISO date from `YYYY-MM-DD`, `YYYY-MM-DDThh:mm…` or `DD/MM/YYYY`; null when absent. */
export function portalDate(record: Json, key: string): string | null {
  const value = record[key];
  if (value === null || value === undefined || value === '' || value === 'Sem informação') return null;
  if (typeof value === 'string') {
    const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
    if (iso) return `${iso[1]}-${iso[2]}-${iso[3]}`;
    const br = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value.trim());
    if (br) return `${br[3]}-${br[2]}-${br[1]}`;
  }
  throw new ContractRecordError(key, `${key} não é uma data (AAAA-MM-DD ou DD/MM/AAAA): ${JSON.stringify(value)}`);
}

function unit(record: Json): Contract['unidadeGestora'] {
  const ug = objectAt(record, 'unidadeGestora');
  const maximo = objectAt(ug, 'orgaoMaximo');
  const vinculado = objectAt(ug, 'orgaoVinculado');
  return {
    codigo: text(ug, 'codigo'),
    nome: text(ug, 'nome'),
    orgaoMaximo: {
      codigo: text(maximo, 'codigo') || text(vinculado, 'codigoSIAFI'),
      sigla: text(maximo, 'sigla') || text(vinculado, 'sigla'),
      nome: text(maximo, 'nome') || text(vinculado, 'nome'),
    },
  };
}

/**
 * A `/contratos` record of the Portal da Transparência (or a file record with the same field
 * names) as a Contract. Lenient where the Portal is inconsistent (dates in two formats,
 * supplier as CNPJ or CPF, ministry as `orgaoMaximo` or `orgaoVinculado`), strict where a
 * wrong value would silently distort the analysis (ids, numbers, dates).
 */
export function toContract(raw: unknown): Contract {
  if (!isObject(raw)) throw new ContractRecordError('(registro)', 'o registro não é um objeto JSON');
  const id = text(raw, 'id');
  if (!id) throw new ContractRecordError('id', 'o registro não tem id');
  const fornecedor = objectAt(raw, 'fornecedor');
  return {
    id,
    numero: text(raw, 'numero'),
    objeto: text(raw, 'objeto'),
    valorInicialCompra: money(raw, 'valorInicialCompra'),
    valorFinalCompra: money(raw, 'valorFinalCompra'),
    dataAssinatura: portalDate(raw, 'dataAssinatura'),
    dataInicioVigencia: portalDate(raw, 'dataInicioVigencia'),
    dataFimVigencia: portalDate(raw, 'dataFimVigencia'),
    situacaoContrato: text(raw, 'situacaoContrato'),
    modalidadeCompra: text(raw, 'modalidadeCompra'),
    fornecedor: {
      nome: text(fornecedor, 'nome') || text(fornecedor, 'razaoSocialReceita'),
      cnpjFormatado: text(fornecedor, 'cnpjFormatado') || text(fornecedor, 'cpfFormatado'),
    },
    unidadeGestora: unit(raw),
  };
}

/** `{ "fornecedor.nome": "X" }` → `{ fornecedor: { nome: "X" } }`, for CSV headers with dotted names. */
export function nestDottedKeys(flat: Record<string, unknown>): Json {
  const nested: Json = {};
  for (const [key, value] of Object.entries(flat)) {
    const path = key.split('.');
    let target = nested;
    for (const part of path.slice(0, -1)) {
      const existing = target[part];
      const child: Json = isObject(existing) ? existing : {};
      target[part] = child;
      target = child;
    }
    target[path[path.length - 1] ?? key] = value;
  }
  return nested;
}
