import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isHandshakeOriginAllowed, serialisedOrigin, type HttpSettings } from '#platform';
import { proxyTrust } from './client-ip.js';

/** The first value of a header a proxy may have appended to (`https, http`). */
function firstValue(header: string | string[] | undefined): string | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
  return value === '' ? undefined : value;
}

const HTTP_SCHEMES: Readonly<Record<string, string>> = { http: 'http', https: 'https', ws: 'http', wss: 'https' };

/**
 * The origin this request was addressed to, as the browser saw it: the Host header and the
 * connection's scheme, or X-Forwarded-Host/-Proto when the peer is a trusted proxy
 * (TRUST_PROXY), as Express reads req.host and req.protocol. Null without a usable Host.
 */
export function requestOrigin(req: IncomingMessage, http: HttpSettings): string | null {
  const peer = req.socket?.remoteAddress;
  const trusted = peer !== undefined && proxyTrust(http)(peer, 0);
  const forwardedProto = trusted ? firstValue(req.headers['x-forwarded-proto'])?.toLowerCase() : undefined;
  const scheme =
    HTTP_SCHEMES[forwardedProto ?? ''] ??
    ((req.socket as Partial<TLSSocket> | undefined)?.encrypted ? 'https' : 'http');
  const host = (trusted ? firstValue(req.headers['x-forwarded-host']) : undefined) ?? req.headers.host;
  if (host === undefined || host === '' || /[/?#@\s\\]/.test(host)) return null;
  return serialisedOrigin(`${scheme}://${host}`);
}

/** CORS_ORIGINS applied to a WebSocket or Socket.IO handshake (see isHandshakeOriginAllowed). */
export function handshakeOriginAllowed(req: IncomingMessage, http: HttpSettings): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  return isHandshakeOriginAllowed(
    http.corsOrigins,
    origin,
    http.corsOrigins.kind === 'none' ? requestOrigin(req, http) : null,
  );
}

/** The refusal's message: which origin, and what would let it in. */
export function originRefusal(req: IncomingMessage, http: HttpSettings): { error_code: string; message: string } {
  const origin = String(req.headers.origin).slice(0, 200);
  const why =
    http.corsOrigins.kind === 'list'
      ? 'is not in CORS_ORIGINS'
      : "is not this server's origin; list it in CORS_ORIGINS to allow it";
  return { error_code: 'ORIGIN_NOT_ALLOWED', message: `origin ${origin} ${why}` };
}
