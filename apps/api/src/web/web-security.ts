import type { WebConfig } from './web-static.middleware.js';

/**
 * The headers of the dashboard's page: its scripts and styles only from this origin (an
 * injected script would not run), nothing may frame it (no clickjacking of its buttons), and
 * no URL of it (an OIDC code on the way back from the provider) is sent as a referrer. The
 * page calls this origin (REST, SSE, WebSocket, Socket.IO) and, signing in, its OIDC
 * provider: the issuer, and a token endpoint its discovery names (https).
 */
export function pageSecurityHeaders(config: WebConfig): Readonly<Record<string, string>> {
  const connect = ["'self'", ...(config.oidc ? [new URL(config.oidc.issuer).origin, 'https:'] : [])];
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${[...new Set(connect)].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  return {
    'Content-Security-Policy': policy.join('; '),
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
  };
}
