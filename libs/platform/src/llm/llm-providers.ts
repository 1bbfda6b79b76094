import type { LlmSettings } from '../config/settings-sections.js';
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

export function createLlmProviders(llm: LlmSettings, logger: Logger = silentLogger): LlmProviders {
  const { timeoutMs, maritaca: m, openAi } = llm;
  const maritaca = m.apiKey
    ? new OpenAiCompatibleClient({
        name: 'maritaca',
        baseUrl: m.baseUrl,
        apiKey: m.apiKey,
        defaultModel: m.model,
        timeoutMs,
        logger,
      })
    : null;
  const generic = openAi
    ? new OpenAiCompatibleClient({
        name: 'openai-compatible',
        baseUrl: openAi.baseUrl,
        ...(openAi.apiKey ? { apiKey: openAi.apiKey } : {}),
        defaultModel: openAi.model,
        timeoutMs,
        logger,
      })
    : null;
  return { maritaca, chat: generic ?? maritaca, prices: priceTable(llm.prices) };
}
