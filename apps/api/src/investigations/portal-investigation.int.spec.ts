import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { investigationStreamId } from '#investigations';
import { auditRecords } from '#platform';
import { openSse } from '../../../../test/support/sse-client.js';
import { startEmbeddedApp, type EmbeddedApp } from '../../../../test/support/embedded-app.js';

const KEY = 'chave-de-teste';
/** 40 records in the Portal's documented `/contratos` shape, one of them far above its peers. */
const record = (n: number) => ({
  id: 700_000 + n,
  numero: `${n}/2024`,
  objeto: `Aquisição de medicamentos para hospital, lote ${n}`,
  situacaoContrato: 'Publicado',
  modalidadeCompra: 'Pregão',
  unidadeGestora: {
    codigo: '250005',
    nome: 'HOSPITAL FEDERAL',
    orgaoMaximo: { codigo: '36000', sigla: 'MS', nome: 'Ministério da Saúde' },
  },
  fornecedor: { cnpjFormatado: `11.222.333/0001-${String(n).padStart(2, '0')}`, nome: `FORNECEDOR ${n} LTDA` },
  dataAssinatura: `2024-0${1 + (n % 9)}-15`,
  dataInicioVigencia: '2024-03-16',
  dataFimVigencia: '2024-12-31',
  valorInicialCompra: n === 7 ? 9_000_000 : 100_000 + n * 1000,
  valorFinalCompra: n === 7 ? 9_000_000 : 100_000 + n * 1000,
});
const RECORDS = Array.from({ length: 40 }, (_, i) => record(i + 1));

let portal: Server;
let requests: URL[] = [];

beforeAll(async () => {
  portal = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url);
    if (req.headers['chave-api-dados'] !== KEY) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"Erro":"Chave de API não cadastrada"}');
      return;
    }
    const page = Number(url.searchParams.get('pagina'));
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(RECORDS.slice((page - 1) * 15, page * 15)));
  });
  await new Promise<void>((resolve) => portal.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => portal.close(() => resolve())));

const portalUrl = () => `http://127.0.0.1:${(portal.address() as AddressInfo).port}/api-de-dados`;

async function investigate(app: EmbeddedApp, body: unknown) {
  const res = await fetch(`${app.url}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** What the client of a finished investigation is told: its first event's notice and Tiradentes' report. */
async function toldAbout(app: EmbeddedApp, dataSource: string) {
  const { body } = await investigate(app, {
    query: 'Contratos de saúde',
    data_source: dataSource,
    filters: { orgao: '36000' },
  });
  const frames = await (await openSse(`${app.url}${body.stream_url}`)).done;
  expect(frames.at(-1)?.data.type).toBe('complete');
  const events = await app.runtime.store.readStream(investigationStreamId(body.investigation_id ?? ''));
  const report = events.find((e) => e.type === 'ReportDrafted')?.data as { markdown: string } | undefined;
  return { notice: frames[0]?.data.notice, report: report?.markdown ?? '' };
}

describe('investigations over the Portal da Transparência', () => {
  it('says when data_source "contracts" analyses synthetic contracts for want of a Portal key', async () => {
    const withoutKey = await startEmbeddedApp({ SYNTHETIC_CONTRACTS: '200' });
    try {
      const told = await toldAbout(withoutKey, 'contracts');
      expect(told.notice).toMatch(/PORTAL_TRANSPARENCIA_API_KEY.*contratos sintéticos/);
      expect(told.report).toContain(`> **Atenção:** ${String(told.notice)}`);
      // Asking for synthetic data explicitly needs no word.
      expect(await toldAbout(withoutKey, 'synthetic')).toEqual({
        notice: undefined,
        report: expect.not.stringContaining('Atenção'),
      });
    } finally {
      await withoutKey.stop();
    }
    const withKey = await startEmbeddedApp({
      PORTAL_TRANSPARENCIA_API_KEY: KEY,
      PORTAL_TRANSPARENCIA_BASE_URL: portalUrl(),
      INVESTIGATION_PAGE_SIZE: '10',
    });
    try {
      expect(await toldAbout(withKey, 'contracts')).toEqual({
        notice: undefined,
        report: expect.not.stringContaining('Atenção'),
      });
    } finally {
      await withKey.stop();
    }
  });

  it('analyses the Portal contracts page by page and flags the outlier', async () => {
    requests = [];
    const app = await startEmbeddedApp({
      PORTAL_TRANSPARENCIA_API_KEY: KEY,
      PORTAL_TRANSPARENCIA_BASE_URL: portalUrl(),
      INVESTIGATION_PAGE_SIZE: '10',
    });
    try {
      const { status, body } = await investigate(app, {
        query: 'medicamentos',
        data_source: 'portal_transparencia',
        filters: { orgao: '36000' },
      });
      expect(status).toBe(202);
      const frames = await (await openSse(`${app.url}${body.stream_url}`)).done;
      expect(frames.at(-1)?.data.type).toBe('complete');
      expect(frames.filter((f) => f.data.type === 'progress').at(-1)?.data.records_processed).toBe(40);
      expect(frames.some((f) => f.data.type === 'anomaly' && f.data.contract_id === '700007')).toBe(true);
      expect(
        requests.every((u) => u.pathname.endsWith('/contratos') && u.searchParams.get('codigoOrgao') === '36000'),
      ).toBe(true);
    } finally {
      await app.stop();
    }
  });

  it('fails the investigation at once, with the reason, when the Portal refuses the key', async () => {
    const app = await startEmbeddedApp({
      PORTAL_TRANSPARENCIA_API_KEY: 'wrong',
      PORTAL_TRANSPARENCIA_BASE_URL: portalUrl(),
    });
    try {
      const { body } = await investigate(app, {
        query: 'medicamentos',
        data_source: 'portal_transparencia',
        filters: { orgao: '36000' },
      });
      const frames = await (await openSse(`${app.url}${body.stream_url}`)).done;
      expect(frames.at(-1)?.data).toMatchObject({
        type: 'error',
        error_code: 'DATA_SOURCE_INVALID_API_KEY',
        fallback_endpoint: expect.any(String),
      });
      const failures = [];
      for await (const record of auditRecords(app.runtime.audit, { eventType: 'investigation.' }))
        failures.push(record);
      expect(failures.filter((r) => r.eventType === 'investigation.failed')).toEqual([
        expect.objectContaining({
          severity: 'medium',
          success: false,
          errorCode: 'DATA_SOURCE_INVALID_API_KEY',
          resourceType: 'investigation',
          resourceId: body.investigation_id,
          userId: 'anonymous',
        }),
      ]);
    } finally {
      await app.stop();
    }
  });

  it('refuses portal_transparencia with 400 when no key is configured', async () => {
    const app = await startEmbeddedApp();
    try {
      const { status, body } = await investigate(app, { query: 'medicamentos', data_source: 'portal_transparencia' });
      expect(status).toBe(400);
      expect(body.error_code).toBe('DATA_SOURCE_UNAVAILABLE');
    } finally {
      await app.stop();
    }
  });
});
