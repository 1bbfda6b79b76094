import type { Settings } from '../config/settings.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { LlmProvider } from './llm.port.js';
import { priceTable, type PriceTable } from './llm-prices.js';
import { OpenAiCompatibleClient } from './openai-compatible.client.js';

export interface LlmProviders {
  /** Maritaca, when MARITACA_API_KEY is set: the direct endpoint's provider. */
  readonly maritaca: LlmProvider | null;
  /** What the chat writes with: LLM_BASE_URL when set, else Maritaca, else none (answers from facts). */
  readonly chat: LlmProvider | null;
  readonly prices: PriceTable;
}

export function createLlmProviders(settings: Settings, logger: Logger = silentLogger): LlmProviders {
  const timeoutMs = settings.LLM_TIMEOUT_MS;
  const maritaca = settings.MARITACA_API_KEY
    ? new OpenAiCompatibleClient({
        name: 'maritaca',
        baseUrl: settings.MARITACA_BASE_URL,
        apiKey: settings.MARITACA_API_KEY,
        defaultModel: settings.MARITACA_MODEL,
        timeoutMs,
        logger,
      })
    : null;
  const generic =
    settings.LLM_BASE_URL && settings.LLM_MODEL
      ? new OpenAiCompatibleClient({
          name: 'openai-compatible',
          baseUrl: settings.LLM_BASE_URL,
          ...(settings.LLM_API_KEY ? { apiKey: settings.LLM_API_KEY } : {}),
          defaultModel: settings.LLM_MODEL,
          timeoutMs,
          logger,
        })
      : null;
  return { maritaca, chat: generic ?? maritaca, prices: priceTable(settings.LLM_PRICES) };
}
