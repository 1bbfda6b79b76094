import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Where a client sends back the secret of a session it started without signing in. */
export const SESSION_TOKEN_HEADER = 'X-Chat-Session-Token';
export const SESSION_TOKEN_QUERY = 'session_token';

/** 32 random bytes: the proof of ownership of an anonymous session, handed to its creator once. */
export const newSessionToken = (): string => randomBytes(32).toString('base64url');

/** Shorter secrets a client brings are not used to start a session: it gets a new one instead. */
export const MIN_SESSION_TOKEN_LENGTH = 32;

/**
 * The secret a session started now by an anonymous caller is bound to: the one they sent
 * (several connections of one client may wait in a session none has written to yet), when
 * long enough, else a new one; `issued` says whether it must be handed to them.
 */
export function claimSecret(presented: string | undefined): { secret: string; issued: boolean } {
  if (presented !== undefined && presented.length >= MIN_SESSION_TOKEN_LENGTH)
    return { secret: presented, issued: false };
  return { secret: newSessionToken(), issued: true };
}

/** What the session's events record instead of the secret. */
export const hashSessionToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Compares digests of equal length in constant time, so the answer's timing says nothing of the secret. */
export function sessionTokenMatches(token: string | undefined, recordedHash: string): boolean {
  if (token === undefined || token === '') return false;
  const presented = createHash('sha256').update(token).digest();
  const recorded = Buffer.from(recordedHash, 'hex');
  return recorded.length === presented.length && timingSafeEqual(presented, recorded);
}

/** The secret from the header, else from `?session_token=` for clients that cannot set headers (EventSource, WebSocket). */
export function sessionTokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers[SESSION_TOKEN_HEADER.toLowerCase()];
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined && value !== '') return value;
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get(SESSION_TOKEN_QUERY);
  return query === null || query === '' ? undefined : query;
}
