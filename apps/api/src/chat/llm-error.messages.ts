import { CHAT_FALLBACK_ENDPOINT } from '#chat';
import { LlmError, type LlmErrorCode } from '#platform';

/** What a user is told, in Portuguese, as the seed's error event does. */
const MESSAGES: Readonly<Record<LlmErrorCode, string>> = {
  LLM_NOT_CONFIGURED: 'Nenhum provedor de linguagem está configurado neste servidor; use o endpoint de fallback.',
  LLM_UNAVAILABLE: 'Serviço temporariamente indisponível',
  LLM_TIMEOUT: 'O modelo de linguagem demorou demais para responder',
  LLM_REFUSED: 'O provedor de linguagem recusou a requisição',
  LLM_RATE_LIMITED: 'Limite de requisições do provedor de linguagem atingido',
  LLM_STREAM_INTERRUPTED: 'A resposta do modelo de linguagem foi interrompida',
  LLM_BAD_RESPONSE: 'O provedor de linguagem enviou uma resposta inválida',
};

export interface SeedErrorEvent {
  readonly type: 'error';
  readonly error_code: string;
  readonly message: string;
  readonly fallback_endpoint: string;
  readonly retry_after: number | null;
}

/** The seed's `error` event for a failed model call; anything else is an internal error. */
export function llmErrorEvent(error: unknown): SeedErrorEvent {
  if (error instanceof LlmError) {
    return {
      type: 'error',
      error_code: error.code,
      message: MESSAGES[error.code],
      fallback_endpoint: CHAT_FALLBACK_ENDPOINT,
      retry_after: error.retryAfterSeconds,
    };
  }
  return {
    type: 'error',
    error_code: 'INTERNAL_ERROR',
    message: 'Erro inesperado no servidor',
    fallback_endpoint: CHAT_FALLBACK_ENDPOINT,
    retry_after: 5,
  };
}
