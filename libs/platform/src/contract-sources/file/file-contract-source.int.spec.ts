import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Contract } from '#analysis';
import { FileContractSource } from './file-contract-source.js';

let dir: string;
const RECORDS = 600;

/** A record in the model's own shape, with text that tempts a naive parser. */
const record = (n: number) => ({
  id: `c${n}`,
  numero: `${n}/2024`,
  objeto: n === 7 ? 'Aquisição de "papel", {A4} [lote 7]\\ fim' : `Aquisição de papel A4, lote ${n}`,
  valorInicialCompra: n * 10,
  valorFinalCompra: n * 10,
  dataAssinatura: '2024-05-10',
  dataInicioVigencia: null,
  dataFimVigencia: null,
  situacaoContrato: 'Vigente',
  modalidadeCompra: 'Pregão',
  fornecedor: { nome: 'Fornecedor A', cnpjFormatado: '11.222.333/0001-81' },
  unidadeGestora: {
    codigo: '250001',
    nome: 'Hospital',
    orgaoMaximo: { codigo: '36000', sigla: 'MS', nome: 'Ministério da Saúde' },
  },
});
const all = Array.from({ length: RECORDS }, (_, i) => record(i + 1));

const CSV_HEADER =
  'id,numero,objeto,valorInicialCompra,valorFinalCompra,dataAssinatura,fornecedor.nome,fornecedor.cnpjFormatado,unidadeGestora.codigo,unidadeGestora.orgaoMaximo.codigo';
const csvRow = (n: number) =>
  `c${n},${n}/2024,"Aquisição de papel, ""A4""\nlote ${n}","${n}.000,50",${n}000.5,10/05/2024,Fornecedor A,11.222.333/0001-81,250001,36000`;

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}
const ids = (contracts: Contract[]) => contracts.map((c) => c.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `c${from + i}`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'contract-files-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('FileContractSource', () => {
  it('reads NDJSON pages at random, across index checkpoints, skipping blank lines', async () => {
    const lines = all.map((r) => JSON.stringify(r));
    lines.splice(300, 0, '', '   ');
    const source = new FileContractSource({ path: await file('contratos.ndjson', `${lines.join('\n')}\n`) });
    const third = await source.fetchPage({ filters: {}, page: 3, pageSize: 100 });
    expect(ids(third.contracts)).toEqual(range(201, 300));
    expect(third).toMatchObject({ hasMore: true, totalEstimate: 600 });
    expect(ids((await source.fetchPage({ filters: {}, page: 6, pageSize: 100 })).contracts)).toEqual(range(501, 600));
    expect(await source.fetchPage({ filters: {}, page: 7, pageSize: 100 })).toMatchObject({
      contracts: [],
      hasMore: false,
    });
    expect((await source.fetchPage({ filters: {}, page: 1, pageSize: 10 })).contracts[6]?.objeto).toBe(
      'Aquisição de "papel", {A4} [lote 7]\\ fim',
    );
  });

  it('reads a pretty-printed JSON array element by element', async () => {
    const source = new FileContractSource({
      path: await file('contratos.json', `\uFEFF${JSON.stringify(all, null, 2)}`),
    });
    expect(ids((await source.fetchPage({ filters: {}, page: 2, pageSize: 250 })).contracts)).toEqual(range(251, 500));
    const first = await source.fetchPage({ filters: {}, page: 1, pageSize: 8 });
    expect(first.contracts[6]).toEqual({ ...record(7), dataInicioVigencia: null });
  });

  it('reads CSV with dotted headers, quoted newlines and Brazilian numbers and dates', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => csvRow(i + 1));
    const source = new FileContractSource({
      path: await file('contratos.csv', `\uFEFF${CSV_HEADER}\n${rows.join('\n')}\n`),
    });
    const page = await source.fetchPage({ filters: {}, page: 27, pageSize: 10 });
    expect(ids(page.contracts)).toEqual(range(261, 270));
    expect(page.contracts[0]).toMatchObject({
      objeto: 'Aquisição de papel, "A4"\nlote 261',
      valorInicialCompra: 261_000.5,
      valorFinalCompra: 261_000.5,
      dataAssinatura: '2024-05-10',
      fornecedor: { nome: 'Fornecedor A', cnpjFormatado: '11.222.333/0001-81' },
      unidadeGestora: { codigo: '250001', orgaoMaximo: { codigo: '36000' } },
    });
  });

  it('applies filters to the page it reads', async () => {
    const source = new FileContractSource({
      path: await file('filtro.ndjson', all.map((r) => JSON.stringify(r)).join('\n')),
    });
    const page = await source.fetchPage({ filters: { min_value: 95, max_value: 120 }, page: 1, pageSize: 20 });
    expect(ids(page.contracts)).toEqual(range(10, 12));
    expect(page.totalEstimate).toBeUndefined();
  });

  it('names the line of a malformed NDJSON record', async () => {
    const lines = all.slice(0, 5).map((r) => JSON.stringify(r));
    lines[3] = '{"id": "c4", "objeto": ';
    const source = new FileContractSource({ path: await file('quebrado.ndjson', lines.join('\n')) });
    await expect(source.fetchPage({ filters: {}, page: 1, pageSize: 10 })).rejects.toThrow(
      /quebrado\.ndjson, linha 4: JSON inválido/,
    );
  });

  it('names the line of a CSV value that is not a number', async () => {
    const rows = [csvRow(1), csvRow(2).replace('"2.000,50"', 'muito')];
    const source = new FileContractSource({ path: await file('quebrado.csv', `${CSV_HEADER}\n${rows.join('\n')}\n`) });
    await expect(source.fetchPage({ filters: {}, page: 1, pageSize: 10 })).rejects.toThrow(
      /linha 4: valorInicialCompra não é um número/,
    );
  });

  it('refuses a JSON file that is not a list, an unknown extension and a missing file', async () => {
    await expect(
      new FileContractSource({ path: await file('objeto.json', '{"id": 1}') }).fetchPage({
        filters: {},
        page: 1,
        pageSize: 5,
      }),
    ).rejects.toThrow(/linha 1: um arquivo \.json deve conter uma lista/);
    await expect(
      new FileContractSource({ path: await file('truncado.json', '[{"id": "a"}, {"id": ') }).fetchPage({
        filters: {},
        page: 1,
        pageSize: 5,
      }),
    ).rejects.toThrow(/termina antes de fechar a lista/);
    expect(() => new FileContractSource({ path: join(dir, 'contratos.xlsx') })).toThrow(
      /formato desconhecido "\.xlsx"/,
    );
    await expect(
      new FileContractSource({ path: join(dir, 'nao-existe.csv') }).fetchPage({ filters: {}, page: 1, pageSize: 5 }),
    ).rejects.toThrow(/não foi possível abrir o arquivo/);
  });
});
