import { Inject, Injectable } from '@nestjs/common';
import { readTypedStream, type Stored } from '#eventsourcing';
import {
  chatEventCatalog,
  chatSessionOwner,
  chatStreamId,
  sameOwner,
  type ChatEvent,
  type ChatSessionOwner,
  type SendChatMessage,
} from '#chat';
import type { Runtime } from '#platform';
import { ApiError } from '../http/api-error.js';
import { RUNTIME } from '../tokens.js';
import { accessTo, type ChatAccessLevel, type ChatCredentials } from './chat-session-access.js';
import { claimSecret } from './chat-session-token.js';

export type ChatRecord = Stored<ChatEvent>;

export const chatTarget = (sessionId: string) => ({ aggregate: 'chat', id: sessionId }) as const;

/** Someone else's session answers as an unknown one does, so session ids do not leak. */
export const sessionNotFound = (sessionId: string): ApiError =>
  new ApiError(404, 'SESSION_NOT_FOUND', `chat session ${sessionId} not found`);

/** A participant joining a session: `claimant` when nobody has written to it yet (its first message makes it theirs). */
export interface JoinedSession {
  readonly events: readonly ChatRecord[];
  readonly access: ChatAccessLevel | 'claimant';
  /** The secret of the session an anonymous claimant would own. */
  readonly secret: string | null;
  /** The secret is new: it must be handed to the claimant now. */
  readonly issued: boolean;
}

/**
 * Who may do what with a chat session, for every transport: the owner reads and posts,
 * holders of chat:read on any session only read, everyone else gets 404.
 */
@Injectable()
export class ChatSessions {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  async read(sessionId: string): Promise<ChatRecord[]> {
    return readTypedStream(this.runtime.store, chatEventCatalog, chatStreamId(sessionId));
  }

  /**
   * The owner on record: the session's first message, else the first SendChatMessage still
   * on the bus (no worker has handled it yet); null when nobody has written to the session.
   */
  async ownerOf(sessionId: string, events: readonly ChatRecord[]): Promise<ChatSessionOwner | null> {
    const recorded = chatSessionOwner(events);
    if (recorded) return recorded;
    const queued = await this.runtime.bus.firstAccepted(chatTarget(sessionId), 'SendChatMessage');
    if (!queued) return null;
    return (
      (queued.command.data as SendChatMessage['data']).owner ?? {
        userId: queued.command.metadata.userId,
        tokenHash: null,
      }
    );
  }

  /** History and streams: the events so far, or 404 for a session the caller may not read (or nobody wrote to). */
  async openForReading(
    sessionId: string,
    who: ChatCredentials,
  ): Promise<{ events: ChatRecord[]; access: ChatAccessLevel }> {
    const events = await this.read(sessionId);
    const owner = await this.ownerOf(sessionId, events);
    const access = owner ? accessTo(owner, who) : null;
    if (!access) throw sessionNotFound(sessionId);
    return { events, access };
  }

  /** Posting: the events so far and the owner (null: the message starts the session), or 404, or 403 for a reader. */
  async openForPosting(
    sessionId: string,
    who: ChatCredentials,
  ): Promise<{ events: ChatRecord[]; owner: ChatSessionOwner | null }> {
    const events = await this.read(sessionId);
    const owner = await this.ownerOf(sessionId, events);
    const access = owner ? accessTo(owner, who) : 'owner';
    if (access === null) throw sessionNotFound(sessionId);
    if (access === 'reader')
      throw new ApiError(403, 'FORBIDDEN', `only the owner of chat session ${sessionId} may post into it`);
    return { events, owner };
  }

  /** WebSocket and Socket.IO participants: they may wait in a session nobody wrote to yet, to start it. */
  async join(sessionId: string, who: ChatCredentials): Promise<JoinedSession> {
    const events = await this.read(sessionId);
    const owner = await this.ownerOf(sessionId, events);
    if (!owner) {
      if (!who.principal.anonymous) return { events, access: 'claimant', secret: null, issued: false };
      return { events, access: 'claimant', ...claimSecret(who.sessionToken) };
    }
    const access = accessTo(owner, who);
    if (!access) throw sessionNotFound(sessionId);
    return { events, access, secret: null, issued: false };
  }

  /**
   * After sending a session's first message: two first messages may have raced for it, and
   * the first the bus accepted decides the owner (the worker records only the owner's
   * messages). A loser is answered as for someone else's session.
   */
  async assertClaimed(sessionId: string, claimed: ChatSessionOwner): Promise<void> {
    const owner = await this.ownerOf(sessionId, await this.read(sessionId));
    if (owner !== null && !sameOwner(owner, claimed)) throw sessionNotFound(sessionId);
  }
}
