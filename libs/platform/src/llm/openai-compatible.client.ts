import { setTimeout as delay } from 'node:timers/promises';
import { silentLogger, type Logger } from '../logging/logger.js';
import { LlmError, llmErrorForStatus } from './llm.errors.js';
import type { LlmMessage, LlmProvider, LlmRequest, LlmStreamPart, LlmUsage } from './llm.port.js';
import { CompletionTracker, LineSplitter } from './openai-stream.parser.js';
import { UpstreamDeadline } from './upstream-deadline.js';

export interface OpenAiCompatibleOptions {
  readonly name: string;
  /** Base URL the `/chat/completions` path is appended to, e.g. https://chat.maritaca.ai/api. */
  readonly baseUrl: string;
  readonly apiKey?: string;
  readonly defaultModel: string;
  /** Longest silence allowed: before the answer starts, and between two of its pieces. */
  readonly timeoutMs: number;
  /** Extra attempts when the connection cannot be made; other failures are not retried. */
  readonly connectRetries?: number;
  readonly retryDelayMs?: number;
  readonly logger?: Logger;
}

/** Errors that mean the request never reached the server, so sending it again is safe. */
const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function connectErrorCode(error: unknown): string | null {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : null;
  return code !== null && CONNECT_ERRORS.has(code) ? code : null;
}

const estimate = (chars: number): number => Math.ceil(chars / 4);

/**
 * Chat completions over any OpenAI-compatible HTTP API (Maritaca, vLLM, llama.cpp server,
 * Ollama), streamed: `data: {json}` lines until `data: [DONE]`. Malformed lines are
 * skipped, as a tolerant reader; a body that ends before the answer does is an error.
 */
export class OpenAiCompatibleClient implements LlmProvider {
  readonly name: string;
  readonly defaultModel: string;
  private readonly logger: Logger;

  constructor(private readonly options: OpenAiCompatibleOptions) {
    this.name = options.name;
    this.defaultModel = options.defaultModel;
    this.logger = (options.logger ?? silentLogger).child({ llm: options.name });
  }

  async *streamChat(request: LlmRequest): AsyncIterable<LlmStreamPart> {
    const model = request.model ?? this.defaultModel;
    const deadline = new UpstreamDeadline(this.options.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, deadline.signal]) : deadline.signal;
    try {
      const response = await this.open(request, model, signal, deadline);
      yield* this.read(response, model, request.messages, deadline, request.signal);
    } finally {
      deadline.cancel();
    }
  }

  private async open(
    request: LlmRequest,
    model: string,
    signal: AbortSignal,
    deadline: UpstreamDeadline,
  ): Promise<Response> {
    const retries = this.options.connectRetries ?? 2;
    for (let attempt = 0; ; attempt++) {
      deadline.arm();
      try {
        const response = await fetch(`${this.options.baseUrl.replace(/\/+$/, '')}/chat/completions`, {
          method: 'POST',
          headers: this.headers(),
          body: JSON.stringify(this.body(request, model)),
          signal,
        });
        if (!response.ok)
          throw llmErrorForStatus(
            response.status,
            (await response.text().catch(() => '')).slice(0, 300),
            response.headers.get('retry-after'),
          );
        return response;
      } catch (error) {
        const failure = this.classify(error, deadline, request.signal);
        const code = connectErrorCode(error);
        if (code === null || attempt >= retries || request.signal?.aborted) throw failure;
        this.logger.warn({ code, attempt: attempt + 1 }, 'language model unreachable, retrying');
        await delay(
          (this.options.retryDelayMs ?? 200) * 2 ** attempt,
          undefined,
          request.signal ? { signal: request.signal } : {},
        );
      }
    }
  }

  private async *read(
    response: Response,
    model: string,
    messages: readonly LlmMessage[],
    deadline: UpstreamDeadline,
    callerSignal: AbortSignal | undefined,
  ): AsyncIterable<LlmStreamPart> {
    if (!response.body) throw new LlmError('LLM_BAD_RESPONSE', 'the language model answered without a body');
    const lines = new LineSplitter();
    const decoder = new TextDecoder();
    const tracker = new CompletionTracker();
    const reported = (message: string) => new LlmError('LLM_UNAVAILABLE', `the language model reported: ${message}`);
    try {
      deadline.arm();
      for await (const piece of response.body as AsyncIterable<Uint8Array>) {
        deadline.arm();
        for (const line of lines.push(decoder.decode(piece, { stream: true }))) {
          for (const content of tracker.tokensOf(line, reported)) yield { type: 'token', content };
        }
      }
      for (const line of lines.flush())
        for (const content of tracker.tokensOf(line, reported)) yield { type: 'token', content };
    } catch (error) {
      throw error instanceof LlmError ? error : this.classify(error, deadline, callerSignal, true);
    }
    if (tracker.malformed > 0) this.logger.warn({ malformed: tracker.malformed }, 'skipped malformed stream lines');
    if (!tracker.finished)
      throw new LlmError('LLM_STREAM_INTERRUPTED', 'the language model stream ended before the answer was complete');
    yield { type: 'usage', usage: this.usage(model, tracker.usage, messages, tracker.written) };
  }

  private usage(
    model: string,
    reported: { promptTokens: number; completionTokens: number } | null,
    messages: readonly LlmMessage[],
    written: number,
  ): LlmUsage {
    if (reported)
      return { model, ...reported, totalTokens: reported.promptTokens + reported.completionTokens, estimated: false };
    const promptTokens = estimate(messages.reduce((sum, m) => sum + m.content.length, 0));
    const completionTokens = estimate(written);
    return { model, promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, estimated: true };
  }

  /** Why a call failed: the caller left (rethrown as is), a timeout, or the upstream. */
  private classify(
    error: unknown,
    deadline: UpstreamDeadline,
    callerSignal: AbortSignal | undefined,
    streaming = false,
  ): unknown {
    if (error instanceof LlmError) return error;
    if (callerSignal?.aborted) return callerSignal.reason ?? error;
    if (deadline.expired)
      return new LlmError('LLM_TIMEOUT', `the language model stayed silent for ${this.options.timeoutMs} ms`, {
        cause: error,
      });
    if (streaming)
      return new LlmError('LLM_STREAM_INTERRUPTED', 'the connection to the language model broke mid-answer', {
        cause: error,
      });
    return new LlmError('LLM_UNAVAILABLE', `the language model at ${this.options.baseUrl} cannot be reached`, {
      cause: error,
    });
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'text/event-stream' };
    if (this.options.apiKey) headers.Authorization = `Bearer ${this.options.apiKey}`;
    return headers;
  }

  private body(request: LlmRequest, model: string): Record<string, unknown> {
    return {
      model,
      messages: request.messages,
      stream: true,
      stream_options: { include_usage: true },
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
    };
  }
}
