import { setTimeout as delay } from 'node:timers/promises';
import {
  matchesFilters,
  type Contract,
  type ContractPage,
  type ContractPageRequest,
  type ContractSource,
  type InvestigationFilters,
} from '#analysis';
import { ContractRecordError, toContract } from '../shared/contract-record.mapper.js';
import { PortalTransparenciaError } from './portal-transparencia.errors.js';
import { PortalHttpClient } from './portal-http.client.js';
import { TokenBucketLimiter, type Sleep } from './token-bucket.limiter.js';

export const PORTAL_TRANSPARENCIA_BASE_URL = 'https://api.portaldatransparencia.gov.br/api-de-dados';

export interface PortalTransparenciaOptions {
  /** The `chave-api-dados` key (PORTAL_TRANSPARENCIA_API_KEY). */
  readonly apiKey: string;
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  /** The Portal allows 90 requests a minute by day (300 from midnight to 6 a.m.). */
  readonly requestsPerMinute?: number;
  readonly burst?: number;
  readonly maxRetries?: number;
  /** Records per Portal page: `/contratos` answers 15 at a time. */
  readonly portalPageSize?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
  readonly sleep?: Sleep;
  readonly random?: () => number;
}

const defaultSleep: Sleep = (ms, signal) => delay(ms, undefined, signal ? { signal } : {});
const isoToPortal = (iso: string): string => iso.split('-').reverse().join('/');

/**
 * Contracts from the Portal da Transparência `/contratos` API. Pages of any size are cut out
 * of the Portal's fixed-size pages, so page n is always the same records (random access for
 * the actors); filters the Portal cannot apply are applied here, so a page may come back short.
 */
export class PortalTransparenciaSource implements ContractSource {
  private readonly http: PortalHttpClient;
  private readonly baseUrl: string;
  private readonly portalPageSize: number;
  private readonly recent = new Map<string, unknown[]>();

  constructor(options: PortalTransparenciaOptions) {
    if (!options.apiKey?.trim()) {
      throw new PortalTransparenciaError(
        'missing_api_key',
        'Falta a chave da API do Portal da Transparência: defina PORTAL_TRANSPARENCIA_API_KEY (cadastro em https://portaldatransparencia.gov.br/api-de-dados/cadastrar-email).',
      );
    }
    const now = options.now ?? Date.now;
    const sleep = options.sleep ?? defaultSleep;
    const limiter = new TokenBucketLimiter(options.requestsPerMinute ?? 90, options.burst ?? 1, now, sleep);
    this.http = new PortalHttpClient({
      apiKey: options.apiKey.trim(),
      fetch: options.fetch ?? globalThis.fetch,
      limiter,
      maxRetries: options.maxRetries ?? 4,
      timeoutMs: options.timeoutMs ?? 30_000,
      now,
      sleep,
      random: options.random ?? Math.random,
    });
    this.baseUrl = (options.baseUrl ?? PORTAL_TRANSPARENCIA_BASE_URL).replace(/\/+$/, '');
    this.portalPageSize = options.portalPageSize ?? 15;
  }

  async fetchPage(request: ContractPageRequest): Promise<ContractPage> {
    const { filters, page, pageSize, signal } = request;
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(pageSize) || pageSize < 1) {
      throw new RangeError(`page and pageSize must be positive integers, got ${page} and ${pageSize}`);
    }
    const size = this.portalPageSize;
    const from = (page - 1) * pageSize;
    const firstPortalPage = Math.floor(from / size) + 1;
    const lastPortalPage = Math.floor((from + pageSize - 1) / size) + 1;
    const records: unknown[] = [];
    let exhausted = false;
    for (let portalPage = firstPortalPage; portalPage <= lastPortalPage && !exhausted; portalPage++) {
      const batch = await this.portalPage(filters, portalPage, signal);
      records.push(...batch);
      exhausted = batch.length < size;
    }
    const offset = from - (firstPortalPage - 1) * size;
    const window = records.slice(offset, offset + pageSize);
    // The Portal already selected the órgão (its code may be a linked body's, not the ministry's).
    const local: InvestigationFilters = { ...filters, orgao: undefined };
    const contracts = window
      .map((record, i) => this.contract(record, from + i))
      .filter((c) => matchesFilters(c, local));
    return { contracts, hasMore: !exhausted };
  }

  private contract(record: unknown, index: number): Contract {
    try {
      return toContract(record);
    } catch (error) {
      if (!(error instanceof ContractRecordError)) throw error;
      throw new PortalTransparenciaError(
        'malformed_response',
        `Registro ${index + 1} do Portal da Transparência inválido: ${error.message}.`,
      );
    }
  }

  /** The last two Portal pages are kept: consecutive requests share their boundary page. */
  private async portalPage(
    filters: InvestigationFilters,
    portalPage: number,
    signal?: AbortSignal,
  ): Promise<unknown[]> {
    const url = this.url(filters, portalPage);
    const cached = this.recent.get(url);
    if (cached) return cached;
    const records = await this.http.getArray(url, signal);
    this.recent.set(url, records);
    if (this.recent.size > 2) this.recent.delete(this.recent.keys().next().value ?? '');
    return records;
  }

  private url(filters: InvestigationFilters, portalPage: number): string {
    const params = new URLSearchParams();
    let path: string;
    if (filters.orgao) {
      path = '/contratos';
      params.set('codigoOrgao', filters.orgao);
      if (filters.start_date) params.set('dataInicial', isoToPortal(filters.start_date));
      if (filters.end_date) params.set('dataFinal', isoToPortal(filters.end_date));
    } else if (filters.cnpj) {
      path = '/contratos/cpf-cnpj';
      params.set('cpfCnpj', filters.cnpj.replace(/\D/g, ''));
    } else {
      throw new PortalTransparenciaError(
        'missing_filter',
        'O Portal da Transparência só lista contratos de um órgão ou de um fornecedor: informe o filtro orgao (código SIAFI, ex.: 36000) ou cnpj.',
      );
    }
    params.set('pagina', String(portalPage));
    return `${this.baseUrl}${path}?${params.toString()}`;
  }
}
