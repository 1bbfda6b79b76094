import type { ChatSessionOwner } from '#chat';
import { scopeOf, type Principal } from '#platform';
import { hashSessionToken, sessionTokenMatches } from './chat-session-token.js';

/** Who asks about a session: the authenticated principal, and the session secret they sent, if any. */
export interface ChatCredentials {
  readonly principal: Principal;
  readonly sessionToken: string | undefined;
}

/** `owner` may read and post; `reader` (chat:read on any session: auditors, admins) may only read. */
export type ChatAccessLevel = 'owner' | 'reader';

/**
 * A signed-in owner is recognised by their user id; the anonymous creator of a session by
 * its secret. A session with no secret on record never takes an anonymous caller.
 */
export function isSessionOwner(owner: ChatSessionOwner, who: ChatCredentials): boolean {
  if (owner.userId !== who.principal.id) return false;
  if (owner.tokenHash === null) return who.principal.anonymous !== true;
  return sessionTokenMatches(who.sessionToken, owner.tokenHash);
}

export function accessTo(owner: ChatSessionOwner, who: ChatCredentials): ChatAccessLevel | null {
  if (isSessionOwner(owner, who)) return 'owner';
  return scopeOf(who.principal, 'chat:read') === 'any' ? 'reader' : null;
}

/** The owner a new session records for its creator: an anonymous one is bound to `secret`. */
export function ownerFor(principal: Principal, secret: string | null): ChatSessionOwner {
  return { userId: principal.id, tokenHash: principal.anonymous && secret !== null ? hashSessionToken(secret) : null };
}
