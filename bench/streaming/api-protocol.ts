import type { AppendPlan, AppendReport } from './append-plan.js';
import type { BenchApiOptions } from './bench-api.js';

/** Requests the bench process sends to the API child, one at a time. */
export type ApiRequest =
  | { readonly kind: 'create'; readonly investigationIds: readonly string[] }
  | { readonly kind: 'append'; readonly plan: AppendPlan }
  | { readonly kind: 'close' };

/** Answers of the API child; `failed` answers any request whose work threw. */
export type ApiReply =
  | { readonly kind: 'ready'; readonly url: string }
  | { readonly kind: 'created' }
  | { readonly kind: 'appended'; readonly report: AppendReport }
  | { readonly kind: 'closed' }
  | { readonly kind: 'failed'; readonly message: string };

/** The child reads its options from argv[2] so it can be started by path, like any process. */
export const encodeOptions = (options: BenchApiOptions): string => JSON.stringify(options);
export const decodeOptions = (text: string | undefined): BenchApiOptions => JSON.parse(text ?? '{}') as BenchApiOptions;
