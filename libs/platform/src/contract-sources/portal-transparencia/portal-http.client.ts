import { PortalTransparenciaError } from './portal-transparencia.errors.js';
import { backoffMs, isRetryableStatus, retryAfterMs } from './retry.policy.js';
import type { Sleep, TokenBucketLimiter } from './token-bucket.limiter.js';

export interface PortalHttpOptions {
  readonly apiKey: string;
  readonly fetch: typeof fetch;
  readonly limiter: TokenBucketLimiter;
  readonly maxRetries: number;
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly sleep: Sleep;
  readonly random: () => number;
}

type Attempt =
  { readonly records: unknown[] } | { readonly retryInMs: number; readonly error: PortalTransparenciaError };

/** GETs a JSON array from the Portal: rate-limited, retried on 429, 5xx and network failures, with clear errors. */
export class PortalHttpClient {
  constructor(private readonly options: PortalHttpOptions) {}

  async getArray(url: string, signal?: AbortSignal): Promise<unknown[]> {
    for (let attempt = 0; ; attempt++) {
      await this.options.limiter.take(signal);
      const outcome = await this.attempt(url, attempt, signal);
      if ('records' in outcome) return outcome.records;
      if (attempt >= this.options.maxRetries) throw outcome.error;
      await this.options.sleep(outcome.retryInMs, signal);
    }
  }

  private async attempt(url: string, attempt: number, signal?: AbortSignal): Promise<Attempt> {
    let response: Response;
    try {
      const timeout = AbortSignal.timeout(this.options.timeoutMs);
      response = await this.options.fetch(url, {
        headers: { 'chave-api-dados': this.options.apiKey, accept: 'application/json' },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      signal?.throwIfAborted();
      const reason = error instanceof Error ? error.message : String(error);
      const failure = new PortalTransparenciaError(
        'network_error',
        `Sem resposta do Portal da Transparência (${reason}); verifique a rede ou o baseUrl ${new URL(url).origin}.`,
      );
      return { retryInMs: backoffMs(attempt, this.options.random), error: failure };
    }
    if (response.ok) return { records: await this.parse(response) };
    const body = (await response.text()).slice(0, 200);
    if (response.status === 401 || response.status === 403) throw this.keyRefused(response.status, body);
    if (!isRetryableStatus(response.status)) {
      throw new PortalTransparenciaError(
        'bad_request',
        `O Portal da Transparência recusou a consulta (HTTP ${response.status}): ${body || 'sem detalhes'}.`,
        response.status,
      );
    }
    return this.retryLater(response, attempt);
  }

  private retryLater(response: Response, attempt: number): Attempt {
    const asked = retryAfterMs(response.headers.get('retry-after'), this.options.now());
    const limited = response.status === 429;
    const error = new PortalTransparenciaError(
      limited ? 'rate_limited' : 'server_error',
      limited
        ? `O Portal da Transparência limitou as requisições (HTTP 429) mesmo após ${attempt + 1} tentativas; reduza requestsPerMinute.`
        : `O Portal da Transparência falhou (HTTP ${response.status}) em ${attempt + 1} tentativas; tente mais tarde.`,
      response.status,
      asked === null ? null : Math.ceil(asked / 1000),
    );
    return { retryInMs: asked ?? backoffMs(attempt, this.options.random), error };
  }

  private async parse(response: Response): Promise<unknown[]> {
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new PortalTransparenciaError(
        'malformed_response',
        `O Portal da Transparência respondeu algo que não é JSON: ${text.slice(0, 80)}`,
        response.status,
      );
    }
    if (!Array.isArray(parsed)) {
      throw new PortalTransparenciaError(
        'malformed_response',
        'O Portal da Transparência respondeu JSON, mas não a lista de contratos esperada.',
        response.status,
      );
    }
    return parsed;
  }

  private keyRefused(status: number, body: string): PortalTransparenciaError {
    return new PortalTransparenciaError(
      'invalid_api_key',
      `O Portal da Transparência recusou a chave (HTTP ${status}${body ? `: ${body}` : ''}): confira PORTAL_TRANSPARENCIA_API_KEY ` +
        'e se a chave tem acesso a /contratos (cadastro em https://portaldatransparencia.gov.br/api-de-dados/cadastrar-email).',
      status,
    );
  }
}
