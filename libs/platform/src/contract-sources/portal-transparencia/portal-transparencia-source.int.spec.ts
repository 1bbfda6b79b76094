import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PortalTransparenciaError } from './portal-transparencia.errors.js';
import { PortalTransparenciaSource, type PortalTransparenciaOptions } from './portal-transparencia-source.js';

/** A record in the documented `/contratos` format (ContratoDTO), trimmed to what matters. */
const record = (n: number) => ({
  id: 900_000 + n,
  numero: `${n}/2024`,
  objeto: `Aquisição de medicamentos lote ${n}`,
  numeroProcesso: '25000.000001/2024-01',
  situacaoContrato: 'Publicado',
  modalidadeCompra: 'Pregão',
  unidadeGestora: {
    codigo: '250005',
    nome: 'HOSPITAL FEDERAL DE BONSUCESSO',
    orgaoVinculado: { codigoSIAFI: '36000', sigla: 'MS', nome: 'Ministério da Saúde' },
    orgaoMaximo: { codigo: '36000', sigla: 'MS', nome: 'Ministério da Saúde' },
  },
  fornecedor: { id: 1, cnpjFormatado: '11.222.333/0001-81', nome: 'DISTRIBUIDORA ALFA LTDA', tipo: 'Pessoa Jurídica' },
  dataAssinatura: n % 2 === 0 ? '2024-03-15' : '15/03/2024',
  dataPublicacaoDOU: '2024-03-20',
  dataInicioVigencia: '2024-03-16',
  dataFimVigencia: null,
  valorInicialCompra: 1000 * n,
  valorFinalCompra: 1000 * n,
});
const RECORDS = Array.from({ length: 40 }, (_, i) => record(i + 1));
const KEY = 'test-key';

type Script = (url: URL, req: IncomingMessage, res: ServerResponse) => boolean;
let server: Server;
let baseUrl: string;
let seen: URL[] = [];
let script: Script[] = [];

function answer(url: URL, req: IncomingMessage, res: ServerResponse): void {
  seen.push(url);
  const next = script.shift();
  if (next && next(url, req, res)) return;
  if (req.headers['chave-api-dados'] !== KEY) {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"Erro":"Chave de API não cadastrada"}');
    return;
  }
  const page = Number(url.searchParams.get('pagina'));
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify(RECORDS.slice((page - 1) * 15, page * 15)));
}

const fail =
  (status: number, headers: Record<string, string> = {}): Script =>
  (_, __, res) => (res.writeHead(status, headers).end('erro'), true);

function source(overrides: Partial<PortalTransparenciaOptions> = {}) {
  let clock = 0;
  const sleeps: number[] = [];
  const portal = new PortalTransparenciaSource({
    apiKey: KEY,
    baseUrl,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    ...overrides,
  });
  return { portal, sleeps };
}

beforeAll(async () => {
  server = createServer((req, res) => answer(new URL(req.url ?? '/', 'http://localhost'), req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api-de-dados/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
  script = [];
});

describe('PortalTransparenciaSource against a local HTTP server', () => {
  const filters = { orgao: '36000', start_date: '2024-01-01', end_date: '2024-12-31' };

  it('asks with the key, the SIAFI code and DD/MM/YYYY dates, and maps the records', async () => {
    const { portal } = source();
    const page = await portal.fetchPage({ filters, page: 1, pageSize: 10 });
    expect(seen[0]?.pathname).toBe('/api-de-dados/contratos');
    expect(Object.fromEntries(seen[0]?.searchParams ?? [])).toEqual({
      codigoOrgao: '36000',
      dataInicial: '01/01/2024',
      dataFinal: '31/12/2024',
      pagina: '1',
    });
    expect(page.hasMore).toBe(true);
    expect(page.contracts).toHaveLength(10);
    expect(page.contracts[0]).toEqual({
      id: '900001',
      numero: '1/2024',
      objeto: 'Aquisição de medicamentos lote 1',
      valorInicialCompra: 1000,
      valorFinalCompra: 1000,
      dataAssinatura: '2024-03-15',
      dataInicioVigencia: '2024-03-16',
      dataFimVigencia: null,
      situacaoContrato: 'Publicado',
      modalidadeCompra: 'Pregão',
      fornecedor: { nome: 'DISTRIBUIDORA ALFA LTDA', cnpjFormatado: '11.222.333/0001-81' },
      unidadeGestora: {
        codigo: '250005',
        nome: 'HOSPITAL FEDERAL DE BONSUCESSO',
        orgaoMaximo: { codigo: '36000', sigla: 'MS', nome: 'Ministério da Saúde' },
      },
    });
  });

  it('cuts pages of any size out of the Portal pages of 15, and ends on a short page', async () => {
    const { portal } = source();
    const ids = async (page: number) =>
      (await portal.fetchPage({ filters, page, pageSize: 20 })).contracts.map((c) => Number(c.id) - 900_000);
    expect(await ids(1)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const second = await portal.fetchPage({ filters, page: 2, pageSize: 20 });
    expect(second.contracts.map((c) => Number(c.id) - 900_000)).toEqual(Array.from({ length: 20 }, (_, i) => i + 21));
    expect(second.hasMore).toBe(false);
    expect(await portal.fetchPage({ filters, page: 3, pageSize: 20 })).toEqual({ contracts: [], hasMore: false });
    expect(await ids(1)).toEqual(
      await source()
        .portal.fetchPage({ filters, page: 1, pageSize: 20 })
        .then((p) => p.contracts.map((c) => Number(c.id) - 900_000)),
    );
  });

  it('stops at the empty list the Portal answers past the last page', async () => {
    script = [(_, __, res) => (res.writeHead(200, { 'content-type': 'application/json' }).end('[]'), true)];
    expect(await source().portal.fetchPage({ filters, page: 9, pageSize: 15 })).toEqual({
      contracts: [],
      hasMore: false,
    });
    expect(seen[0]?.searchParams.get('pagina')).toBe('9');
  });

  it('applies locally the filters the Portal does not know', async () => {
    const { portal } = source();
    const page = await portal.fetchPage({
      filters: { ...filters, min_value: 5_000, max_value: 7_000 },
      page: 1,
      pageSize: 15,
    });
    expect(page.contracts.map((c) => c.valorInicialCompra)).toEqual([5_000, 6_000, 7_000]);
  });

  it('reads a supplier through /contratos/cpf-cnpj', async () => {
    await source().portal.fetchPage({ filters: { cnpj: '11.222.333/0001-81' }, page: 1, pageSize: 5 });
    expect(seen[0]?.pathname).toBe('/api-de-dados/contratos/cpf-cnpj');
    expect(seen[0]?.searchParams.get('cpfCnpj')).toBe('11222333000181');
  });

  it('waits as told by Retry-After after a 429, then succeeds', async () => {
    script = [fail(429, { 'retry-after': '7' })];
    const { portal, sleeps } = source();
    expect((await portal.fetchPage({ filters, page: 1, pageSize: 5 })).contracts).toHaveLength(5);
    expect(seen).toHaveLength(2);
    expect(sleeps).toContain(7_000);
  });

  it('retries 500s with growing backoff and gives up with a clear error', async () => {
    script = [fail(500), fail(502)];
    const ok = source({ requestsPerMinute: 60_000 });
    expect((await ok.portal.fetchPage({ filters, page: 1, pageSize: 5 })).contracts).toHaveLength(5);
    // Full jitter with random() = 0.5: three quarters of 500 ms, then of 1 000 ms; the 1 ms waits are the rate limiter's.
    expect(ok.sleeps.filter((ms) => ms > 1)).toEqual([375, 750]);
    script = Array.from({ length: 10 }, () => fail(503));
    seen = [];
    const error = await source({ maxRetries: 2 })
      .portal.fetchPage({ filters, page: 1, pageSize: 5 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortalTransparenciaError);
    expect(error).toMatchObject({ code: 'server_error', status: 503 });
    expect(seen).toHaveLength(3);
  });

  it('retries when the connection drops', async () => {
    script = [(_, req) => (req.socket.destroy(), true)];
    expect((await source().portal.fetchPage({ filters, page: 1, pageSize: 5 })).contracts).toHaveLength(5);
    expect(seen).toHaveLength(2);
  });

  it('says the key was refused on 401, without retrying', async () => {
    const error = await source({ apiKey: 'wrong' })
      .portal.fetchPage({ filters, page: 1, pageSize: 5 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_api_key', status: 401 });
    expect((error as Error).message).toMatch(/PORTAL_TRANSPARENCIA_API_KEY/);
    expect(seen).toHaveLength(1);
  });

  it('reports a body that is not JSON', async () => {
    script = [
      (_, __, res) => (res.writeHead(200, { 'content-type': 'application/json' }).end('<html>manutenção</html>'), true),
    ];
    await expect(source().portal.fetchPage({ filters, page: 1, pageSize: 5 })).rejects.toMatchObject({
      code: 'malformed_response',
    });
  });

  it('reports a record it cannot read', async () => {
    script = [
      (_, __, res) => (res.writeHead(200).end(JSON.stringify([{ ...record(1), valorInicialCompra: 'muito' }])), true),
    ];
    await expect(source().portal.fetchPage({ filters, page: 1, pageSize: 5 })).rejects.toThrow(
      /Registro 1 .*valorInicialCompra não é um número/,
    );
  });

  it('refuses to start without a key, and to query without órgão or CNPJ', async () => {
    expect(() => new PortalTransparenciaSource({ apiKey: ' ' })).toThrow(/PORTAL_TRANSPARENCIA_API_KEY/);
    await expect(source().portal.fetchPage({ filters: {}, page: 1, pageSize: 5 })).rejects.toMatchObject({
      code: 'missing_filter',
    });
    expect(seen).toHaveLength(0);
  });

  it('spaces requests to respect the rate limit', async () => {
    const { portal, sleeps } = source({ requestsPerMinute: 60 });
    await portal.fetchPage({ filters, page: 1, pageSize: 45 });
    expect(seen).toHaveLength(3);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(2_000);
  });
});
