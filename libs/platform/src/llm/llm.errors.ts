export type LlmErrorCode =
  | 'LLM_NOT_CONFIGURED'
  | 'LLM_UNAVAILABLE'
  | 'LLM_TIMEOUT'
  | 'LLM_REFUSED'
  | 'LLM_RATE_LIMITED'
  | 'LLM_STREAM_INTERRUPTED'
  | 'LLM_BAD_RESPONSE';

/** Seconds a client should wait before retrying, when retrying can help at all. */
const DEFAULT_RETRY_AFTER: Readonly<Record<LlmErrorCode, number | null>> = {
  LLM_NOT_CONFIGURED: null,
  LLM_UNAVAILABLE: 5,
  LLM_TIMEOUT: 5,
  LLM_REFUSED: null,
  LLM_RATE_LIMITED: 30,
  LLM_STREAM_INTERRUPTED: 2,
  LLM_BAD_RESPONSE: null,
};

/** A language-model call that did not give a complete answer; `code` is the wire `error_code`. */
export class LlmError extends Error {
  override readonly name = 'LlmError';
  readonly retryAfterSeconds: number | null;
  /** The upstream's HTTP status, when it answered one. */
  readonly status: number | undefined;

  constructor(
    readonly code: LlmErrorCode,
    message: string,
    options: { cause?: unknown; status?: number; retryAfterSeconds?: number | null } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.retryAfterSeconds =
      options.retryAfterSeconds === undefined ? DEFAULT_RETRY_AFTER[code] : options.retryAfterSeconds;
  }
}

export function llmErrorForStatus(status: number, detail: string, retryAfterHeader: string | null): LlmError {
  const retryAfter =
    retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader.trim()) ? Number(retryAfterHeader.trim()) : undefined;
  const message = `the language model answered HTTP ${status}${detail ? `: ${detail}` : ''}`;
  if (status === 429)
    return new LlmError('LLM_RATE_LIMITED', message, {
      status,
      ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
    });
  if (status >= 500)
    return new LlmError('LLM_UNAVAILABLE', message, {
      status,
      ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
    });
  return new LlmError('LLM_REFUSED', message, { status });
}
