import { z } from 'zod';

export type WsRoute =
  | { readonly kind: 'general' }
  | { readonly kind: 'chat'; readonly sessionId: string }
  | { readonly kind: 'investigations'; readonly investigationId: string }
  | { readonly kind: 'socketio' }
  | { readonly kind: 'unknown' };

const ID = /^[A-Za-z0-9_-]{1,128}$/;
const GENERAL = /^\/api\/v1\/ws\/?$/;
const BY_ID = /^\/api\/v1\/ws\/(chat|investigations)\/([^/]+)\/?$/;

/** Which endpoint an upgrade asks for; a malformed id is an unknown path, as for HTTP routes. */
export function routeOf(pathname: string): WsRoute {
  if (GENERAL.test(pathname)) return { kind: 'general' };
  if (pathname.startsWith('/socket.io/')) return { kind: 'socketio' };
  const match = BY_ID.exec(pathname);
  const id = match?.[2] ?? '';
  if (!match || !ID.test(id)) return { kind: 'unknown' };
  return match[1] === 'chat' ? { kind: 'chat', sessionId: id } : { kind: 'investigations', investigationId: id };
}

const lastEventIdSchema = z.string().regex(/^\d{1,15}$/, 'must be a whole number');
const connectionTypeSchema = z.string().regex(/^[a-z_]{1,32}$/, 'must be 1-32 lower-case letters or _');

export interface UpgradeQuery {
  readonly token: string | undefined;
  /** `?session_token=`: the secret of a chat session started without signing in. */
  readonly sessionToken: string | undefined;
  readonly lastEventId: number | null;
  readonly connectionType: string;
}

/** `?token=`, `?last_event_id=`, `?connection_type=`; null with the reason when one is malformed. */
export function parseUpgradeQuery(url: URL, authorization: string | undefined): { query: UpgradeQuery } | { problem: string } {
  const rawId = url.searchParams.get('last_event_id');
  const id = rawId === null || rawId === '' ? null : lastEventIdSchema.safeParse(rawId);
  if (id && !id.success) return { problem: 'last_event_id must be a whole number' };
  const type = connectionTypeSchema.safeParse(url.searchParams.get('connection_type') ?? 'general');
  if (!type.success) return { problem: 'connection_type must be 1-32 lower-case letters or _' };
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  const token = bearer ?? (url.searchParams.get('token') || undefined);
  const sessionToken = url.searchParams.get('session_token') || undefined;
  return { query: { token, sessionToken, lastEventId: id ? Number(id.data) : null, connectionType: type.data } };
}
