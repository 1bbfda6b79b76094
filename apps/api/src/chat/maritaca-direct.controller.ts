import { Body, Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';
import {
  costOf,
  LlmError,
  type LlmProvider,
  type LlmProviders,
  type LlmRequest,
  type Runtime,
  type SseMessage,
} from '#platform';
import { ApiError } from '../http/api-error.js';
import { sendError } from '../http/api-exception.filter.js';
import { parseOr400 } from '../http/zod-body.js';
import { SseEndpoints } from '../http/sse-endpoints.js';
import { RUNTIME } from '../tokens.js';
import { CHAT_FALLBACK_ENDPOINT } from '#chat';
import { DocMaritacaStream } from './chat.docs.js';
import { directChatSchema, type DirectChatBody } from './chat-request.dto.js';
import { LLM_PROVIDERS } from './chat.tokens.js';
import { llmErrorEvent } from './llm-error.messages.js';

const ENDPOINT = '/chat/direct/maritaca/stream';

const notConfigured = () => new LlmError('LLM_NOT_CONFIGURED', 'MARITACA_API_KEY is not set');

/**
 * The seed's `token`…, `usage`, `done` events of one Maritaca completion, or its `error`.
 * Unsubscribing (the client left) aborts the upstream request.
 */
function completionEvents(
  provider: LlmProvider | null,
  request: Omit<LlmRequest, 'signal'>,
  providers: LlmProviders,
): Observable<SseMessage> {
  return new Observable<SseMessage>((subscriber) => {
    const upstream = new AbortController();
    const run = async () => {
      if (!provider) throw notConfigured();
      for await (const part of provider.streamChat({ ...request, signal: upstream.signal })) {
        if (part.type === 'token') subscriber.next({ data: { type: 'token', content: part.content } });
        else {
          const { usage } = part;
          const cost = costOf(usage, providers.prices);
          subscriber.next({
            data: {
              type: 'usage',
              tokens: usage.totalTokens,
              cost,
              prompt_tokens: usage.promptTokens,
              completion_tokens: usage.completionTokens,
              model: usage.model,
              estimated: usage.estimated,
            },
          });
        }
      }
      subscriber.next({ data: { type: 'done' } });
    };
    run().then(
      () => subscriber.complete(),
      (error: unknown) => subscriber.error(error),
    );
    return () => upstream.abort(new Error('the client went away'));
  });
}

const toRequest = (body: DirectChatBody): Omit<LlmRequest, 'signal'> => ({
  messages: body.messages,
  ...(body.model ? { model: body.model } : {}),
  ...(body.temperature === undefined ? {} : { temperature: body.temperature }),
  ...(body.max_tokens === undefined ? {} : { maxTokens: body.max_tokens }),
});

/** Direct access to Maritaca, streaming as the seed shows; open to the same callers as the chat. */
@Controller('api/v1/chat/direct/maritaca')
export class MaritacaDirectController {
  constructor(
    @Inject(LLM_PROVIDERS) private readonly providers: LlmProviders,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly sse: SseEndpoints,
  ) {}

  @Post('stream')
  @DocMaritacaStream()
  async stream(@Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    let release: (() => void) | null = null;
    try {
      const input = parseOr400(directChatSchema, body ?? {});
      if (!input.stream) return await this.complete(input, res);
      release = this.sse.admit(req, ENDPOINT);
      const events$ = completionEvents(this.providers.maritaca, toRequest(input), this.providers);
      this.sse.write(res, events$, {
        endpoint: ENDPOINT,
        release,
        limits: false,
        fallbackEndpoint: CHAT_FALLBACK_ENDPOINT,
        failure: (error) => ({ data: llmErrorEvent(error) }),
      });
    } catch (error) {
      release?.();
      sendError(res, error, this.runtime.logger, req);
    }
  }

  /** `stream: false`: the same completion as one JSON answer. */
  private async complete(input: DirectChatBody, res: Response): Promise<void> {
    const upstream = new AbortController();
    res.on('close', () => upstream.abort(new Error('the client went away')));
    const provider = this.providers.maritaca;
    try {
      if (!provider) throw notConfigured();
      let content = '';
      for await (const part of provider.streamChat({ ...toRequest(input), signal: upstream.signal })) {
        if (part.type === 'token') content += part.content;
        else
          res.status(200).json({
            content,
            model: part.usage.model,
            usage: {
              tokens: part.usage.totalTokens,
              cost: costOf(part.usage, this.providers.prices),
              prompt_tokens: part.usage.promptTokens,
              completion_tokens: part.usage.completionTokens,
              estimated: part.usage.estimated,
            },
          });
      }
    } catch (error) {
      if (upstream.signal.aborted) return;
      const event = llmErrorEvent(error);
      throw new ApiError(
        503,
        event.error_code,
        event.message,
        { fallback_endpoint: event.fallback_endpoint },
        event.retry_after ?? undefined,
      );
    }
  }
}
