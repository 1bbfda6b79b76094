import { Inject, Injectable } from '@nestjs/common';
import { EMPTY, defer, filter, map, takeWhile, type Observable } from 'rxjs';
import type { Stored } from '#kernel';
import {
  CHAT_ANSWER_END_TYPES,
  chatDecider,
  chatStreamId,
  emptyChatHistory,
  evolveChatHistory,
  messageIdOf,
  pendingMessageIds,
  toChatWireEvent,
  type ChatEvent,
  type ChatHistory,
  type ChatWireEvent,
  type SendChatMessage,
} from '#chat';
import { catchUpThenLive, newId, type LiveFeed, type Runtime, type SseMessage } from '#platform';
import { ApiError } from '../http/api-error.js';
import type { Caller } from '../investigations/investigations.service.js';
import { LIVE_FEED, RUNTIME } from '../tokens.js';
import type { ChatRequest } from './chat-request.dto.js';

type ChatRecord = Stored<ChatEvent>;

export interface SentMessage {
  readonly sessionId: string;
  readonly messageId: string;
  /** This message's events, from MessageReceived to its end (ResponseCompleted or ResponseFailed). */
  readonly events$: Observable<ChatRecord>;
}

const TARGET = (sessionId: string) => ({ aggregate: 'chat', id: sessionId }) as const;

export const toWire = (events$: Observable<ChatRecord>): Observable<SseMessage> =>
  events$.pipe(
    map((event) => ({ id: event.revision, data: toChatWireEvent(event) })),
    filter((message): message is { id: number; data: ChatWireEvent } => message.data !== null),
  );

/** Turns chat requests into SendChatMessage commands, and reads sessions back from their streams. */
@Injectable()
export class ChatService {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(LIVE_FEED) private readonly feed: LiveFeed,
  ) {}

  /**
   * Resolves once the bus accepted the message. Its events are read from the session's
   * revision before sending, so none can be missed however fast the worker answers.
   */
  async send(request: ChatRequest, caller: Caller): Promise<SentMessage> {
    const sessionId = request.sessionId ?? newId();
    const messageId = newId();
    const before = (await this.read(sessionId)).at(-1)?.revision ?? 0;
    const command: SendChatMessage & { metadata: { commandId: string; correlationId: string; userId: string; issuedAt: string } } = {
      type: 'SendChatMessage',
      data: { sessionId, messageId, content: request.message, ...(request.agentId ? { agentId: request.agentId } : {}) },
      metadata: { commandId: messageId, correlationId: caller.correlationId, userId: caller.userId, issuedAt: new Date().toISOString() },
    };
    await this.runtime.bus.send({ target: TARGET(sessionId), command });
    const events$ = catchUpThenLive(this.runtime.store, this.feed, chatStreamId(sessionId), before).pipe(
      map((recorded) => recorded as unknown as ChatRecord),
      filter((event) => messageIdOf(event) === messageId),
      takeWhile((event) => !CHAT_ANSWER_END_TYPES.has(event.type), true),
    );
    return { sessionId, messageId, events$ };
  }

  /** The conversation so far, or 404 for a session nobody wrote to. */
  async history(sessionId: string): Promise<ChatHistory> {
    const events = await this.read(sessionId);
    if (events.length === 0) await this.assertAccepted(sessionId);
    return events.reduce(evolveChatHistory, emptyChatHistory(sessionId));
  }

  /**
   * The session's events after `afterRevision`, history then live, ending once every
   * message received so far has its answer: a cut-off answer resumes to its end.
   */
  async resume(sessionId: string, afterRevision: number): Promise<Observable<ChatRecord>> {
    const events = await this.read(sessionId);
    if (events.length === 0) await this.assertAccepted(sessionId);
    const state = events.reduce((s, e) => chatDecider.evolve(s, e), chatDecider.initialState());
    const lastRevision = events.at(-1)?.revision ?? 0;
    const pending = pendingMessageIds(state);
    if (pending.length === 0 && afterRevision >= lastRevision && events.length > 0) return EMPTY;
    return defer(() => {
      const open = new Set(pending);
      return catchUpThenLive(this.runtime.store, this.feed, chatStreamId(sessionId), afterRevision).pipe(
        map((recorded) => recorded as unknown as ChatRecord),
        takeWhile((event) => {
          if (event.type === 'MessageReceived') open.add(event.data.messageId);
          if (CHAT_ANSWER_END_TYPES.has(event.type)) open.delete(messageIdOf(event));
          return !(open.size === 0 && event.revision >= lastRevision);
        }, true),
      );
    });
  }

  private async read(sessionId: string): Promise<ChatRecord[]> {
    return (await this.runtime.store.readStream(chatStreamId(sessionId))) as unknown as ChatRecord[];
  }

  /** A session whose first message is still on the bus exists, it just has no events yet. */
  private async assertAccepted(sessionId: string): Promise<void> {
    if (!(await this.runtime.bus.wasAccepted(TARGET(sessionId), 'SendChatMessage'))) throw new ApiError(404, 'SESSION_NOT_FOUND', `chat session ${sessionId} not found`);
  }
}
