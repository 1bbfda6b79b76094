import { Inject, Injectable } from '@nestjs/common';
import { filter, map, takeWhile, type Observable } from 'rxjs';
import {
  CHAT_ANSWER_END_TYPES,
  CHAT_HISTORIES,
  chatDecider,
  chatEventCatalog,
  chatStreamId,
  emptyChatHistory,
  evolveChatHistory,
  messageIdOf,
  pendingMessageIds,
  toChatWireEvent,
  type ChatHistory,
  type ChatHistoryDocument,
  type ChatWireEvent,
  type SendChatMessage,
} from '#chat';
import { newId, type Runtime, type SseMessage } from '#platform';
import { catchUpThenLive, decodeWith, type LiveFeed } from '#eventsourcing';
import { READ_YOUR_WRITES_MS, type Caller } from '../investigations/investigations.service.js';
import { projectedDocument } from '../read-models/projected-document.js';
import type { HubWatch } from '../streaming/hub-watch.js';
import type { WireFrame } from '../streaming/wire-frame.js';
import { answerControl, answeredControl } from './chat-frames.js';
import { LIVE_FEED, RUNTIME } from '../tokens.js';
import type { ChatRequest } from './chat-request.dto.js';
import { accessTo, ownerFor, type ChatCredentials } from './chat-session-access.js';
import { claimSecret } from './chat-session-token.js';
import { ChatSessions, chatTarget, sessionNotFound, type ChatRecord } from './chat-sessions.js';

export interface SentMessage {
  readonly sessionId: string;
  readonly messageId: string;
  /** This message's events, from MessageReceived to its end (ResponseCompleted or ResponseFailed). */
  readonly events$: Observable<ChatRecord>;
  /** The new secret of the session this message started without signing in: handed to the caller once. */
  readonly sessionToken: string | null;
  /** The same events on the session's hub, as wire frames. */
  readonly watch: HubWatch<WireFrame<ChatWireEvent>>;
}

export const toWire = (events$: Observable<ChatRecord>): Observable<SseMessage> =>
  events$.pipe(
    map((event) => ({ id: event.revision, data: toChatWireEvent(event) })),
    filter((message): message is { id: number; data: ChatWireEvent } => message.data !== null),
  );

/** Turns chat requests into SendChatMessage commands, and reads sessions back from their streams, for their owners. */
@Injectable()
export class ChatService {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(LIVE_FEED) private readonly feed: LiveFeed,
    readonly sessions: ChatSessions,
  ) {}

  /**
   * Resolves once the bus accepted the message. Its events are read from the session's
   * revision before sending, so none can be missed however fast the worker answers.
   * `sessionToken`: the session secret the caller sent, if any.
   */
  async send(request: ChatRequest, caller: Caller, sessionToken?: string): Promise<SentMessage> {
    const { principal } = caller;
    const sessionId = request.sessionId ?? newId();
    const messageId = newId();
    // The answer is read from the store: with the store away, nothing is sent (503 STORE_UNAVAILABLE), as for a session that exists.
    const opened =
      request.sessionId === null
        ? await this.newSession()
        : await this.sessions.openForPosting(sessionId, { principal, sessionToken });
    const claim = opened.owner === null && principal.anonymous ? claimSecret(sessionToken) : null;
    const owner = opened.owner ?? ownerFor(principal, claim?.secret ?? null);
    const before = opened.events.at(-1)?.revision ?? 0;
    const command: SendChatMessage & {
      metadata: { commandId: string; correlationId: string; userId: string; issuedAt: string };
    } = {
      type: 'SendChatMessage',
      data: {
        sessionId,
        messageId,
        content: request.message,
        ...(request.agentId ? { agentId: request.agentId } : {}),
        owner,
        senderRoles: principal.roles,
      },
      metadata: {
        commandId: messageId,
        correlationId: caller.correlationId,
        userId: caller.userId,
        issuedAt: new Date().toISOString(),
      },
    };
    await this.runtime.bus.send({ target: chatTarget(sessionId), command });
    // An id the client chose may have been claimed by someone else meanwhile; one made here was handed to nobody yet.
    if (opened.owner === null && request.sessionId !== null) await this.sessions.assertClaimed(sessionId, owner);
    const events$ = catchUpThenLive(this.runtime.store, this.feed, chatStreamId(sessionId), before).pipe(
      decodeWith(chatEventCatalog),
      filter((event) => messageIdOf(event) === messageId),
      takeWhile((event) => !CHAT_ANSWER_END_TYPES.has(event.type), true),
    );
    const watch = { streamId: chatStreamId(sessionId), after: before, control: answerControl(messageId) };
    return { sessionId, messageId, events$, sessionToken: claim?.issued ? claim.secret : null, watch };
  }

  /** The conversation so far, or 404 for a session nobody wrote to or the caller may not read. */
  async history(sessionId: string, who: ChatCredentials): Promise<ChatHistory> {
    const projected = await projectedDocument<ChatHistoryDocument>(this.runtime.readModels, this.runtime.store, {
      projection: CHAT_HISTORIES,
      collection: CHAT_HISTORIES,
      id: sessionId,
      streamId: chatStreamId(sessionId),
      revisionOf: (doc) => doc.history.last_event_id,
      waitMs: READ_YOUR_WRITES_MS,
    });
    if (projected?.owner) {
      if (!accessTo(projected.owner, who)) throw sessionNotFound(sessionId);
      return projected.history;
    }
    const { events } = await this.sessions.openForReading(sessionId, who);
    return events.reduce(evolveChatHistory, emptyChatHistory(sessionId));
  }

  private async newSession(): Promise<{ events: ChatRecord[]; owner: null }> {
    await this.runtime.store.ping();
    return { events: [], owner: null };
  }

  /**
   * Where a replay of the session after `afterRevision` starts on its hub, ending once every
   * message received so far has its answer (a cut-off answer resumes to its end), or null
   * when there is nothing to send.
   */
  async replay(
    sessionId: string,
    afterRevision: number,
    who: ChatCredentials,
  ): Promise<HubWatch<WireFrame<ChatWireEvent>> | null> {
    const { events } = await this.sessions.openForReading(sessionId, who);
    const state = events.reduce((s, e) => chatDecider.evolve(s, e), chatDecider.initialState());
    const lastRevision = events.at(-1)?.revision ?? 0;
    const pending = pendingMessageIds(state);
    if (pending.length === 0 && afterRevision >= lastRevision && events.length > 0) return null;
    return { streamId: chatStreamId(sessionId), after: afterRevision, control: answeredControl(pending, lastRevision) };
  }
}
