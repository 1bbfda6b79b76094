import type { Stored } from '#eventsourcing';
import type { ChatEvent } from './chat.events.js';

/**
 * Who a chat session belongs to: the user who sent its first message. A session started
 * without signing in (embedded mode without required auth) is also bound to a secret its
 * creator received; only the secret's SHA-256 is ever recorded.
 */
export interface ChatSessionOwner {
  readonly userId: string;
  /** Hex SHA-256 of the creator's session secret; null for a signed-in owner. */
  readonly tokenHash: string | null;
}

export const sameOwner = (a: ChatSessionOwner, b: ChatSessionOwner): boolean =>
  a.userId === b.userId && a.tokenHash === b.tokenHash;

/**
 * The owner on record in a session's events: the one its first message names, or, for a
 * session recorded before owners were, that message's sender with no secret.
 */
export function chatSessionOwner(events: readonly Stored<ChatEvent>[]): ChatSessionOwner | null {
  const first = events.find((event) => event.type === 'MessageReceived');
  if (first?.type !== 'MessageReceived') return null;
  return first.data.owner ?? { userId: first.metadata.userId, tokenHash: null };
}
