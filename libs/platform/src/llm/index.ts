export * from './llm.port.js';
export * from './llm.errors.js';
export * from './llm-prices.js';
export { OpenAiCompatibleClient, type OpenAiCompatibleOptions } from './openai-compatible.client.js';
export { createLlmProviders, type LlmProviders } from './llm-providers.js';
