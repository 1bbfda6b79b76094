/** The LlmProviders built from the settings (Maritaca and any OpenAI-compatible endpoint). */
export const LLM_PROVIDERS = Symbol('LLM_PROVIDERS');
