import { filter, map, type Observable, type Subscription } from 'rxjs';
import { catchUpThenLive, decodeWith, type Stored, type EventStore, type LiveFeed } from '#eventsourcing';
import {
  chatEventCatalog,
  chatSessionOwner,
  chatStreamId,
  emptyChatHistory,
  evolveChatHistory,
  type ChatEvent,
} from '#chat';
import { StreamPump, type Logger, type Metrics, type ChatSettings, type PresenceChannel } from '#platform';
import { parseChatRequest } from '../chat/chat-request.dto.js';
import { accessTo, type ChatAccessLevel, type ChatCredentials } from '../chat/chat-session-access.js';
import { sessionNotFound } from '../chat/chat-sessions.js';
import type { ChatService } from '../chat/chat.service.js';
import { ChatWsProjection } from './chat-ws.projection.js';
import type { WatchEnd } from './investigation-watch.js';
import type { Peer } from './peer.js';
import { errorFrom, type OutboundMessage } from './ws-messages.js';

export interface ChatDeps {
  readonly chat: ChatService;
  readonly store: EventStore;
  readonly feed: LiveFeed;
  readonly presence: PresenceChannel;
  readonly chatSettings: ChatSettings;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Counts a message against the client's request budget; throws a 429 ApiError beyond it. */
  readonly admit: () => Promise<void>;
}

type ChatItem = { readonly id: number; readonly event: Stored<ChatEvent> };

/** A chat session's stored events after `afterId`, each shaped per participant (its access decides what it sees). */
function chatEvents(store: EventStore, feed: LiveFeed, sessionId: string): (afterId: number) => Observable<ChatItem> {
  return (afterId) =>
    catchUpThenLive(store, feed, chatStreamId(sessionId), afterId).pipe(
      decodeWith(chatEventCatalog),
      map((event) => ({ id: event.revision, event })),
    );
}

/**
 * One participant of a chat session, on any transport: `history` on join (or, with a last
 * event id, only what was missed), then the session live; messages in become
 * SendChatMessage commands, as over HTTP; typing goes through the presence channel.
 * Only the session's owner (and readers holding chat:read) may join a started session; a
 * participant may also wait in one nobody wrote to yet, which its first message starts.
 */
export class ChatParticipant {
  private readonly projection: ChatWsProjection;
  private readonly pump: StreamPump<ChatItem>;
  private signals: Subscription | null = null;
  private typing = false;
  private left = false;
  /** `claimant` until the session's first message shows whose it is. */
  private access: ChatAccessLevel | 'claimant' = 'claimant';

  constructor(
    private readonly peer: Peer,
    readonly sessionId: string,
    private readonly deps: ChatDeps,
    onEnd: (end: WatchEnd) => void,
    /** The session secret the client sent, or the one it is handed on joining a session it may start. */
    private sessionToken: string | undefined = undefined,
  ) {
    this.projection = new ChatWsProjection(sessionId);
    const source = chatEvents(deps.store, deps.feed, sessionId);
    this.pump = new StreamPump<ChatItem>({
      source: (afterId) => source(afterId).pipe(map((item) => this.checked(item))),
      deliver: (item) => {
        for (const message of this.projection.apply(item.event)) peer.send(message);
      },
      overloaded: () => peer.overloaded(),
      whenDrained: (resume) => peer.whenDrained(resume),
      onPause: () => peer.notePause(),
      // A session has no last event: its stream only ends when the live feed closes.
      onComplete: () => onEnd({ kind: 'interrupted' }),
      onError: (error) => onEnd({ kind: 'failed', error }),
    });
  }

  private get room(): string {
    return `chat.${this.sessionId}`;
  }

  private get credentials(): ChatCredentials {
    return { principal: this.peer.principal, sessionToken: this.sessionToken };
  }

  /** Refused (404) unless the caller may read the session; an anonymous participant that may start it gets its secret first. */
  async join(lastEventId: number | null): Promise<void> {
    const joined = await this.deps.chat.sessions.join(this.sessionId, this.credentials);
    if (this.left) return;
    this.access = joined.access;
    if (joined.secret !== null) this.sessionToken = joined.secret;
    if (joined.issued) this.peer.send({ type: 'session', session_id: this.sessionId, session_token: joined.secret });
    // Nothing was written before a claimant joined: it starts from the first event, whose owner it must check.
    let afterId = this.access === 'claimant' ? 0 : (lastEventId ?? 0);
    if (lastEventId === null) {
      const history = joined.events.reduce(evolveChatHistory, emptyChatHistory(this.sessionId));
      this.peer.send({ type: 'history', ...history });
      afterId = history.last_event_id;
    }
    this.projection.seed(joined.events.filter((event) => event.revision <= afterId));
    if (this.access !== 'claimant') this.listenToTyping();
    this.pump.startAfter(afterId);
  }

  /** The ack once the bus accepted the message (its answer follows on the stream), or an error message. */
  async say(content: unknown, agentId: unknown, echo: Record<string, unknown> = {}): Promise<OutboundMessage> {
    try {
      await this.deps.admit();
      const request = parseChatRequest(
        { message: content, session_id: this.sessionId, agent_id: agentId },
        this.deps.chatSettings.maxMessageLength,
      );
      const { principal, correlationId } = this.peer;
      const sent = await this.deps.chat.send(
        request,
        { userId: principal.id, correlationId, principal },
        this.sessionToken,
      );
      this.setTyping(false);
      return { type: 'ack', command: 'message', session_id: this.sessionId, message_id: sent.messageId, ...echo };
    } catch (error) {
      return errorFrom(error, { session_id: this.sessionId, ...echo }).message;
    }
  }

  /** Readers watch; only those who may post say they are typing. */
  setTyping(isTyping: boolean): void {
    if (this.access === 'reader' || (isTyping === this.typing && !isTyping)) return;
    this.typing = isTyping;
    const { principal } = this.peer;
    const who = principal.name === undefined ? {} : { user_name: principal.name };
    this.deps.presence.publish({
      room: this.room,
      origin: this.peer.id,
      payload: { session_id: this.sessionId, user_id: principal.id, ...who, is_typing: isTyping },
    });
  }

  leave(): void {
    this.left = true;
    this.pump.stop();
    this.signals?.unsubscribe();
    this.signals = null;
    this.setTyping(false);
  }

  /**
   * A claimant learns from the session's first message whether the session became its own
   * (or one it may read); if not, its stream ends as for someone else's session.
   */
  private checked(item: ChatItem): ChatItem {
    if (this.access !== 'claimant' || item.event.type !== 'MessageReceived') return item;
    const owner = chatSessionOwner([item.event]);
    const access = owner ? accessTo(owner, this.credentials) : null;
    if (!access) throw sessionNotFound(this.sessionId);
    this.access = access;
    this.listenToTyping();
    return item;
  }

  private listenToTyping(): void {
    this.signals ??= this.deps.presence
      .signals(this.room)
      .pipe(filter((signal) => signal.origin !== this.peer.id))
      .subscribe((signal) => this.peer.send({ type: 'typing', ...signal.payload }));
  }
}
