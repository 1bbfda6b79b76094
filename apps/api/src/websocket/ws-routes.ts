import { z } from 'zod';
import { ENTITY_ID } from '#eventsourcing';
import { eventIdSchema } from '#platform';

export type WsRoute =
  | { readonly kind: 'general' }
  | { readonly kind: 'chat'; readonly sessionId: string }
  | { readonly kind: 'investigations'; readonly investigationId: string }
  | { readonly kind: 'graphql' }
  | { readonly kind: 'socketio' }
  | { readonly kind: 'unknown' };

/**
 * Every raw WebSocket endpoint, by path template: routeOf answers exactly these (plus
 * Socket.IO's path), and the authorization matrix test enumerates them, so a new endpoint
 * cannot ship without its row there.
 */
export const WS_ENDPOINTS = [
  { kind: 'general', path: '/api/v1/ws' },
  { kind: 'chat', path: '/api/v1/ws/chat/{session_id}' },
  { kind: 'investigations', path: '/api/v1/ws/investigations/{investigation_id}' },
  /** graphql-transport-ws (graphql-ws): subscriptions of the GraphQL endpoint whose queries POST /graphql serves. */
  { kind: 'graphql', path: '/graphql' },
] as const satisfies ReadonlyArray<{ kind: WsRoute['kind']; path: string }>;

/** The template as a pattern: `{name}` is one path segment, a trailing slash is allowed. */
const patternOf = (path: string): RegExp => new RegExp(`^${path.replace(/\{[a-z_]+\}/g, '([^/]+)')}/?$`);
const MATCHERS = WS_ENDPOINTS.map((endpoint) => ({ kind: endpoint.kind, pattern: patternOf(endpoint.path) }));

/** Which endpoint an upgrade asks for; a malformed id is an unknown path, as for HTTP routes. */
export function routeOf(pathname: string): WsRoute {
  if (pathname.startsWith('/socket.io/')) return { kind: 'socketio' };
  for (const { kind, pattern } of MATCHERS) {
    const match = pattern.exec(pathname);
    if (!match) continue;
    const id = match[1] ?? '';
    if (kind === 'general' || kind === 'graphql') return { kind };
    if (!ENTITY_ID.test(id)) return { kind: 'unknown' };
    return kind === 'chat' ? { kind, sessionId: id } : { kind, investigationId: id };
  }
  return { kind: 'unknown' };
}

const connectionTypeSchema = z.string().regex(/^[a-z_]{1,32}$/, 'must be 1-32 lower-case letters or _');

export interface UpgradeQuery {
  readonly token: string | undefined;
  /** `?session_token=`: the secret of a chat session started without signing in. */
  readonly sessionToken: string | undefined;
  readonly lastEventId: number | null;
  readonly connectionType: string;
}

/** `?token=`, `?last_event_id=`, `?connection_type=`; null with the reason when one is malformed. */
export function parseUpgradeQuery(
  url: URL,
  authorization: string | undefined,
): { query: UpgradeQuery } | { problem: string } {
  const rawId = url.searchParams.get('last_event_id');
  const id = rawId === null || rawId === '' ? null : eventIdSchema.safeParse(rawId);
  if (id && !id.success) return { problem: 'last_event_id must be a whole number' };
  const type = connectionTypeSchema.safeParse(url.searchParams.get('connection_type') ?? 'general');
  if (!type.success) return { problem: 'connection_type must be 1-32 lower-case letters or _' };
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  const token = bearer ?? (url.searchParams.get('token') || undefined);
  const sessionToken = url.searchParams.get('session_token') || undefined;
  return { query: { token, sessionToken, lastEventId: id ? id.data : null, connectionType: type.data } };
}
