import { chunkAnswer, estimateTokens, estimateTokensOfLength, type ChatMessageState } from '#chat';
import { LlmError, type LlmMessage, type LlmProvider, type Logger } from '#platform';
import { BatchingQueue } from './batching-queue.js';
import type { ChatStep } from './chat-steps.js';

const WORDS_PER_CHUNK = 3;
/** Tokens that arrive within this much of the previous chunk join the next one: fewer appends, same text. */
const TOKEN_BATCH_MS = 25;
const CUT_SHORT = '\n\n_(A resposta foi interrompida antes do fim. Pergunte de novo se precisar do restante.)_';

export interface AnswerRequest {
  readonly step: ChatStep;
  readonly message: ChatMessageState;
  /** The answer composed from the projections: the reply itself, or the model's facts. */
  readonly composed: string;
  /** Null: answer with the composed text. */
  readonly prompt: (() => Promise<LlmMessage[]>) | null;
  readonly signal: AbortSignal;
}

type RecordAnswerStep = Extract<Parameters<ChatStep>[0], { type: 'RecordAnswer' }>;

type RecordChunksStep = Extract<Parameters<ChatStep>[0], { type: 'RecordChunks' }>;

/**
 * The first chunk of a composed answer as a step of its own: recorded with the message that
 * asked, so it goes out before the rest of the answer is written (the rest follows with
 * {@link composedAnswer}, which records only the chunks not yet recorded).
 */
export function composedOpening(message: ChatMessageState, composed: string): RecordChunksStep | null {
  const [first] = chunkAnswer(composed, WORDS_PER_CHUNK);
  return first === undefined
    ? null
    : { type: 'RecordChunks', data: { messageId: message.messageId, firstSeq: 1, contents: [first] } };
}

/** A composed answer as one step: recorded entirely or not at all. */
export function composedAnswer(message: ChatMessageState, composed: string): RecordAnswerStep {
  const contents = chunkAnswer(composed, WORDS_PER_CHUNK);
  return {
    type: 'RecordAnswer',
    data: { messageId: message.messageId, contents, totalTokens: estimateTokens(composed), source: 'composer' },
  };
}

/** Writes an answer as chunk events: the composed text, or a model's streamed reply. */
export class ChatAnswerWriter {
  constructor(
    private readonly llm: LlmProvider | null,
    private readonly logger: Logger,
  ) {}

  /** Whether an answer that has a prompt is the model's: false, it is the composed text. */
  get answersWithModel(): boolean {
    return this.llm !== null;
  }

  async write(request: AnswerRequest): Promise<void> {
    if (!this.llm || !request.prompt) return this.writeComposed(request);
    // A model's reply cannot be replayed: after a crash mid-answer, end what was said.
    if (request.message.chunks > 0)
      return this.endCutShort(request, request.message.chunks + 1, request.message.answerLength);
    return this.stream(this.llm, request, await request.prompt());
  }

  private async writeComposed({ step, message, composed }: AnswerRequest): Promise<void> {
    await step(composedAnswer(message, composed));
  }

  private async stream(llm: LlmProvider, request: AnswerRequest, messages: LlmMessage[]): Promise<void> {
    const { step, message } = request;
    let nextSeq = 1;
    let written = 0;
    const queue = new BatchingQueue<string>(async (tokens) => {
      const content = tokens.join('');
      await step({
        type: 'RecordChunks',
        data: { messageId: message.messageId, firstSeq: nextSeq, contents: [content] },
      });
      nextSeq += 1;
      written += content.length;
    }, TOKEN_BATCH_MS);
    let totalTokens = 0;
    try {
      for await (const part of llm.streamChat({ messages, signal: request.signal })) {
        if (part.type === 'token') queue.push(part.content);
        else totalTokens = part.usage.totalTokens;
      }
      await queue.flush();
    } catch (error) {
      await queue.flush();
      if (!(error instanceof LlmError)) throw error;
      this.logger.warn(
        { err: error, provider: llm.name, messageId: message.messageId },
        'language model failed; answering from facts',
      );
      return nextSeq === 1 ? this.writeComposed(request) : this.endCutShort(request, nextSeq, written);
    }
    await step({ type: 'CompleteResponse', data: { messageId: message.messageId, totalTokens, source: 'llm' } });
  }

  private async endCutShort({ step, message }: AnswerRequest, nextSeq: number, writtenLength: number): Promise<void> {
    await step({
      type: 'RecordChunks',
      data: { messageId: message.messageId, firstSeq: nextSeq, contents: [CUT_SHORT] },
    });
    const totalTokens = estimateTokensOfLength(writtenLength + CUT_SHORT.length);
    await step({ type: 'CompleteResponse', data: { messageId: message.messageId, totalTokens, source: 'llm' } });
  }
}
