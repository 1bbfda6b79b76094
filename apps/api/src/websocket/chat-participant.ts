import { filter, type Subscription } from 'rxjs';
import type { Stored } from '#kernel';
import { chatStreamId, emptyChatHistory, evolveChatHistory, type ChatEvent } from '#chat';
import { StreamPump, type EventStore, type LiveFeed, type Logger, type Metrics, type PresenceChannel, type Settings } from '#platform';
import { parseChatRequest } from '../chat/chat-request.dto.js';
import type { ChatService } from '../chat/chat.service.js';
import { ChatWsProjection } from './chat-ws.projection.js';
import type { WatchEnd } from './investigation-watch.js';
import type { Peer } from './peer.js';
import { chatEvents } from './stream-items.js';
import { errorFrom, type OutboundMessage } from './ws-messages.js';

export interface ChatDeps {
  readonly chat: ChatService;
  readonly store: EventStore;
  readonly feed: LiveFeed;
  readonly presence: PresenceChannel;
  readonly settings: Settings;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Counts a message against the client's request budget; throws a 429 ApiError beyond it. */
  readonly admit: () => Promise<void>;
}

type ChatItem = { readonly id: number; readonly event: Stored<ChatEvent> };

/**
 * One participant of a chat session, on any transport: `history` on join (or, with a last
 * event id, only what was missed), then the session live; messages in become
 * SendChatMessage commands, as over HTTP; typing goes through the presence channel.
 */
export class ChatParticipant {
  private readonly projection: ChatWsProjection;
  private readonly pump: StreamPump<ChatItem>;
  private signals: Subscription | null = null;
  private typing = false;
  private left = false;

  constructor(
    private readonly peer: Peer,
    readonly sessionId: string,
    private readonly deps: ChatDeps,
    onEnd: (end: WatchEnd) => void,
  ) {
    this.projection = new ChatWsProjection(sessionId);
    this.pump = new StreamPump<ChatItem>({
      source: chatEvents(deps.store, deps.feed, sessionId),
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

  async join(lastEventId: number | null): Promise<void> {
    const events = (await this.deps.store.readStream(chatStreamId(this.sessionId))) as unknown as Stored<ChatEvent>[];
    if (this.left) return;
    let afterId = lastEventId ?? 0;
    if (lastEventId === null) {
      const history = events.reduce(evolveChatHistory, emptyChatHistory(this.sessionId));
      this.peer.send({ type: 'history', ...history });
      afterId = history.last_event_id;
    }
    this.projection.seed(events.filter((event) => event.revision <= afterId));
    this.signals = this.deps.presence
      .signals(this.room)
      .pipe(filter((signal) => signal.origin !== this.peer.id))
      .subscribe((signal) => this.peer.send({ type: 'typing', ...signal.payload }));
    this.pump.startAfter(afterId);
  }

  /** The ack once the bus accepted the message (its answer follows on the stream), or an error message. */
  async say(content: unknown, agentId: unknown, echo: Record<string, unknown> = {}): Promise<OutboundMessage> {
    try {
      await this.deps.admit();
      const request = parseChatRequest({ message: content, session_id: this.sessionId, agent_id: agentId }, this.deps.settings.CHAT_MAX_MESSAGE_LENGTH);
      const { principal, correlationId } = this.peer;
      const sent = await this.deps.chat.send(request, { userId: principal.id, correlationId, principal });
      this.setTyping(false);
      return { type: 'ack', command: 'message', session_id: this.sessionId, message_id: sent.messageId, ...echo };
    } catch (error) {
      return errorFrom(error, { session_id: this.sessionId, ...echo }).message;
    }
  }

  setTyping(isTyping: boolean): void {
    if (isTyping === this.typing && !isTyping) return;
    this.typing = isTyping;
    const { principal } = this.peer;
    const who = principal.name === undefined ? {} : { user_name: principal.name };
    this.deps.presence.publish({ room: this.room, origin: this.peer.id, payload: { session_id: this.sessionId, user_id: principal.id, ...who, is_typing: isTyping } });
  }

  leave(): void {
    this.left = true;
    this.pump.stop();
    this.signals?.unsubscribe();
    this.signals = null;
    this.setTyping(false);
  }
}
