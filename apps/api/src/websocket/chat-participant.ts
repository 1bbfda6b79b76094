import type { HubControl } from '#eventsourcing';
import { chatEventCatalog, chatSessionOwner, chatStreamId, emptyChatHistory, evolveChatHistory } from '#chat';
import type { ChatSettings, Logger, Metrics } from '#platform';
import { parseChatRequest } from '../chat/chat-request.dto.js';
import { accessTo, type ChatAccessLevel, type ChatCredentials } from '../chat/chat-session-access.js';
import { sessionNotFound } from '../chat/chat-sessions.js';
import type { ChatService } from '../chat/chat.service.js';
import type { ChatWsFrame, ChatWsHubs } from './chat-ws.projection.js';
import { partsWriter } from './frame-writer.js';
import type { WatchEnd } from './investigation-watch.js';
import { endWithStream, reportFailure, type Peer } from './peer.js';
import { PeerStream, type SinkEnd } from './peer-stream.js';
import type { Presence } from './presence.js';
import { closeCodeFor, errorFrom, type OutboundMessage } from './ws-messages.js';

export interface ChatDeps {
  readonly chat: ChatService;
  readonly chatWs: ChatWsHubs;
  readonly presence: Pick<Presence, 'publish' | 'follow'>;
  readonly chatSettings: ChatSettings;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Counts a message against the client's request budget; throws a 429 ApiError beyond it. */
  readonly admit: () => Promise<void>;
}

/**
 * One participant of a chat session, on any transport: `history` on join (or, with a last
 * event id, only what was missed), then the session live; messages in become
 * SendChatMessage commands, as over HTTP; typing goes through the presence channel.
 * Only the session's owner (and readers holding chat:read) may join a started session; a
 * participant may also wait in one nobody wrote to yet, which its first message starts.
 */
export class ChatParticipant {
  private stream: PeerStream<ChatWsFrame> | null = null;
  private release: (() => void) | null = null;
  /** Why a claimant's stream stopped: the session turned out to be someone else's. */
  private refusal: unknown = null;
  private stopTyping: (() => void) | null = null;
  private typing = false;
  private left = false;
  /** `claimant` until the session's first message shows whose it is. */
  private access: ChatAccessLevel | 'claimant' = 'claimant';

  constructor(
    private readonly peer: Peer,
    readonly sessionId: string,
    private readonly deps: ChatDeps,
    /** The session secret the client sent, or the one it is handed on joining a session it may start. */
    private sessionToken: string | undefined = undefined,
  ) {}

  /** Joins (see `join`); a refusal or a failure is sent to the client, whose connection then closes. */
  open(lastEventId: number | null): void {
    this.join(lastEventId).catch((error: unknown) => {
      const status = reportFailure(this.peer, error, this.deps, { session_id: this.sessionId });
      this.peer.close(closeCodeFor(status), `could not open the session (status ${status})`);
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
    this.release = this.deps.chatWs.hold(this.sessionId, joined.events);
    if (this.access !== 'claimant') this.listenToTyping();
    const control = this.access === 'claimant' ? this.claimantControl() : undefined;
    const streamId = chatStreamId(this.sessionId);
    this.stream = new PeerStream(this.peer, this.deps.chatWs.hubs, {
      open: (after) => Promise.resolve({ streamId, after, control }),
      writer: partsWriter(this.peer.frames),
      onEnd: (end) => endWithStream(this.peer, this.endOf(end), this.deps, 'session ended'),
    });
    this.stream.start(afterId);
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
    this.stream?.stop();
    this.release?.();
    this.release = null;
    this.stopTyping?.();
    this.stopTyping = null;
    this.setTyping(false);
  }

  /** A session has no last event: its stream only ends when the live feed closes, on a failure, or on a refusal. */
  private endOf(end: SinkEnd): WatchEnd {
    if (end.kind === 'failed') return end;
    if (this.refusal !== null) return { kind: 'failed', error: this.refusal };
    return { kind: 'interrupted' };
  }

  /**
   * A claimant learns from the session's first message whether the session became its own
   * (or one it may read); if not, its stream ends as for someone else's session.
   */
  private claimantControl(): HubControl<ChatWsFrame> {
    return ({ event: recorded }) => {
      if (this.access !== 'claimant' || recorded.type !== 'MessageReceived') return 'deliver';
      const owner = chatSessionOwner([chatEventCatalog.decode(recorded)]);
      const access = owner ? accessTo(owner, this.credentials) : null;
      if (!access) {
        this.refusal = sessionNotFound(this.sessionId);
        return 'stop';
      }
      this.access = access;
      this.listenToTyping();
      return 'deliver';
    };
  }

  private listenToTyping(): void {
    this.stopTyping ??= this.deps.presence.follow(this.room, this.peer);
  }
}
