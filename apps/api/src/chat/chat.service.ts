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
import { catchUpThenLive, newId, readPages, type LiveFeed, type Pacing, type Runtime, type SseMessage } from '#platform';
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
  async send(request: ChatRequest, caller: Caller, pacing?: Pacing): Promise<SentMessage> {
    const sessionId = request.sessionId ?? newId();
    const messageId = newId();
    const before = (await this.fold(sessionId, (n: number) => n, 0)).lastRevision;
    const command: SendChatMessage & { metadata: { commandId: string; correlationId: string; userId: string; issuedAt: string } } = {
      type: 'SendChatMessage',
      data: { sessionId, messageId, content: request.message, ...(request.agentId ? { agentId: request.agentId } : {}) },
      metadata: { commandId: messageId, correlationId: caller.correlationId, userId: caller.userId, issuedAt: new Date().toISOString() },
    };
    await this.runtime.bus.send({ target: TARGET(sessionId), command });
    const events$ = catchUpThenLive(this.runtime.store, this.feed, chatStreamId(sessionId), before, pacing ? { pacing } : {}).pipe(
      map((recorded) => recorded as unknown as ChatRecord),
      filter((event) => messageIdOf(event) === messageId),
      takeWhile((event) => !CHAT_ANSWER_END_TYPES.has(event.type), true),
    );
    return { sessionId, messageId, events$ };
  }

  /** The conversation so far, or 404 for a session nobody wrote to. */
  async history(sessionId: string): Promise<ChatHistory> {
    const { state, lastRevision } = await this.fold(sessionId, evolveChatHistory, emptyChatHistory(sessionId));
    if (lastRevision === 0) await this.assertAccepted(sessionId);
    return state;
  }

  /**
   * The session's events after `afterRevision`, history then live, ending once every
   * message received so far has its answer: a cut-off answer resumes to its end.
   */
  async resume(sessionId: string, afterRevision: number, pacing?: Pacing): Promise<Observable<ChatRecord>> {
    const { state, lastRevision } = await this.fold(sessionId, (s, e) => chatDecider.evolve(s, e), chatDecider.initialState());
    if (lastRevision === 0) await this.assertAccepted(sessionId);
    const pending = pendingMessageIds(state);
    if (pending.length === 0 && afterRevision >= lastRevision && lastRevision > 0) return EMPTY;
    return defer(() => {
      const open = new Set(pending);
      return catchUpThenLive(this.runtime.store, this.feed, chatStreamId(sessionId), afterRevision, pacing ? { pacing } : {}).pipe(
        map((recorded) => recorded as unknown as ChatRecord),
        takeWhile((event) => {
          if (event.type === 'MessageReceived') open.add(event.data.messageId);
          if (CHAT_ANSWER_END_TYPES.has(event.type)) open.delete(messageIdOf(event));
          return !(open.size === 0 && event.revision >= lastRevision);
        }, true),
      );
    });
  }

  /** A fold over the session read a page at a time, and its last revision (0: no event yet). */
  private async fold<S>(sessionId: string, evolve: (state: S, event: ChatRecord) => S, initial: S): Promise<{ state: S; lastRevision: number }> {
    let state = initial;
    let lastRevision = 0;
    for await (const event of readPages(this.runtime.store, chatStreamId(sessionId))) {
      state = evolve(state, event as unknown as ChatRecord);
      lastRevision = event.revision;
    }
    return { state, lastRevision };
  }

  /** A session whose first message is still on the bus exists, it just has no events yet. */
  private async assertAccepted(sessionId: string): Promise<void> {
    if (!(await this.runtime.bus.wasAccepted(TARGET(sessionId), 'SendChatMessage'))) throw new ApiError(404, 'SESSION_NOT_FOUND', `chat session ${sessionId} not found`);
  }
}
