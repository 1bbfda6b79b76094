import type { IncomingMessage } from 'node:http';
import { AuthError } from '#platform';

/**
 * The token from `Authorization: Bearer …`, else from `?token=` for EventSource and
 * WebSocket clients, which cannot set headers. Takes any Node request, so WebSocket upgrade
 * handlers read tokens exactly as the HTTP guard does.
 */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new AuthError('TOKEN_INVALID', 'the Authorization header must be "Bearer <token>"');
    return match[1];
  }
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
  return query === null || query === '' ? undefined : query;
}
