import { describe, expect, it } from '@jest/globals';
import { loadSettings } from '../config/settings.js';
import { loadSections } from '../config/settings-sections.js';
import { costOf, DEFAULT_LLM_PRICES, priceTable } from './llm-prices.js';

const usage = (model: string, promptTokens: number, completionTokens: number) => ({
  model,
  promptTokens,
  completionTokens,
  totalTokens: promptTokens + completionTokens,
  estimated: false,
});

describe('LLM price table', () => {
  it('prices input and output tokens per million', () => {
    expect(costOf(usage('sabia-3.1', 1_000_000, 0), DEFAULT_LLM_PRICES)).toBe(5);
    expect(costOf(usage('sabiazinho-3', 2000, 1000), DEFAULT_LLM_PRICES)).toBe(0.005);
    expect(costOf(usage('unpriced-model', 1000, 1000), DEFAULT_LLM_PRICES)).toBe(0);
  });

  it('takes overrides and new models from LLM_PRICES, and refuses a bad one by name', () => {
    const { llm } = loadSections({
      LLM_PRICES: '{"sabia-3.1":{"input":1,"output":2},"llama3":{"input":0.1,"output":0.2}}',
    });
    const prices = priceTable(llm.prices);
    expect(prices['sabia-3.1']).toEqual({ input: 1, output: 2 });
    expect(prices.llama3).toEqual({ input: 0.1, output: 0.2 });
    expect(prices['sabiazinho-3']).toEqual(DEFAULT_LLM_PRICES['sabiazinho-3']);
    expect(() => loadSettings({ LLM_PRICES: 'not json' })).toThrow(/LLM_PRICES/);
    expect(() => loadSettings({ LLM_PRICES: '{"m":{"input":-1,"output":2}}' })).toThrow(/LLM_PRICES/);
    expect(() => loadSettings({ LLM_BASE_URL: 'http://127.0.0.1:11434/v1' })).toThrow(/LLM_MODEL/);
  });
});
