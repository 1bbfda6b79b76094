/** One message of a chat completion, as OpenAI-compatible APIs take them. */
export interface LlmMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface LlmRequest {
  readonly messages: readonly LlmMessage[];
  /** The provider's default model when absent. */
  readonly model?: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
  /** Aborting it aborts the upstream request (a client that went away). */
  readonly signal?: AbortSignal;
}

export interface LlmUsage {
  readonly model: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
  /** True when the upstream sent no usage figures and these are estimates. */
  readonly estimated: boolean;
}

/** A streamed completion: tokens as they arrive, then exactly one usage part at the end. */
export type LlmStreamPart =
  { readonly type: 'token'; readonly content: string } | { readonly type: 'usage'; readonly usage: LlmUsage };

export interface LlmProvider {
  /** 'maritaca' or 'openai-compatible', for logs and answers. */
  readonly name: string;
  readonly defaultModel: string;
  /** Throws LlmError when the upstream cannot be reached, refuses, times out or breaks off. */
  streamChat(request: LlmRequest): AsyncIterable<LlmStreamPart>;
}
