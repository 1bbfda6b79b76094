import { z } from 'zod';
import type { LlmUsage } from './llm.port.js';

/** Price of a million tokens, read and written, in the currency you bill in. */
export interface ModelPrice {
  readonly input: number;
  readonly output: number;
}
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** Maritaca's list prices in reais; LLM_PRICES adds models or overrides these. */
export const DEFAULT_LLM_PRICES: PriceTable = {
  'sabia-3.1': { input: 5, output: 10 },
  'sabia-3': { input: 5, output: 10 },
  'sabiazinho-3': { input: 1, output: 3 },
};

const priceSchema = z.strictObject({
  input: z.number({ message: 'input must be a number' }).nonnegative(),
  output: z.number({ message: 'output must be a number' }).nonnegative(),
});

/** LLM_PRICES: a JSON object such as {"my-model":{"input":0.5,"output":1.5}}. */
export const llmPricesSetting = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON such as {"sabia-3.1":{"input":5,"output":10}}' });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(z.string().min(1), priceSchema, {
      message: 'must map model names to {"input","output"} prices per million tokens',
    }),
  );

export function priceTable(overrides: PriceTable | undefined): PriceTable {
  return { ...DEFAULT_LLM_PRICES, ...(overrides ?? {}) };
}

/** Cost of one completion; a model missing from the table costs nothing rather than a guess. */
export function costOf(usage: LlmUsage, prices: PriceTable): number {
  const price = prices[usage.model];
  if (!price) return 0;
  const cost = (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1_000_000;
  return Math.round(cost * 1e8) / 1e8;
}
