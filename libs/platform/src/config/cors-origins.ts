import { z } from 'zod';

/** Which web origins may call the API from a browser (CORS) and open WebSockets to it. */
export type CorsOrigins =
  | { readonly kind: 'none' }
  | { readonly kind: 'any' }
  | { readonly kind: 'list'; readonly origins: ReadonlySet<string> };

/**
 * CORS_ORIGINS: empty (default: same origin only, no CORS headers), `*` (any origin: the
 * API authenticates with bearer tokens, never cookies, so this exposes nothing a script
 * could not fetch anyway), or a comma-separated list of origins such as
 * `https://painel.cidadao.ai,http://localhost:5173`.
 */
export const corsOriginsSetting = z
  .string()
  .default('')
  .transform((raw, ctx): CorsOrigins => {
    const value = raw.trim();
    if (value === '') return { kind: 'none' };
    if (value === '*') return { kind: 'any' };
    const origins = new Set<string>();
    for (const item of value
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== '')) {
      const origin = originOf(item);
      if (origin === null) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not an origin (scheme://host[:port], no path)` });
        return z.NEVER;
      }
      origins.add(origin);
    }
    return { kind: 'list', origins };
  });

function originOf(item: string): string | null {
  try {
    const url = new URL(item);
    const bare = `${url.protocol}//${url.host}`;
    return (url.protocol === 'http:' || url.protocol === 'https:') && item.replace(/\/$/, '') === bare ? bare : null;
  } catch {
    return null;
  }
}

/** Whether a request carrying this Origin header may be answered with CORS headers. */
export function isOriginAllowed(policy: CorsOrigins, origin: string | undefined): boolean {
  if (origin === undefined) return true;
  if (policy.kind === 'any') return true;
  return policy.kind === 'list' && policy.origins.has(origin);
}

/**
 * Whether a WebSocket or Socket.IO handshake carrying this Origin may connect. Browsers do
 * not apply CORS to WebSockets, so a page on any site could otherwise open one with the
 * user's network position (an intranet, localhost): the server itself refuses foreign pages.
 * Without CORS_ORIGINS only the server's own origin (`ownOrigin`, scheme://host[:port]) may;
 * clients that send no Origin (curl, Node, Python) are not browsers and stay allowed.
 */
export function isHandshakeOriginAllowed(
  policy: CorsOrigins,
  origin: string | undefined,
  ownOrigin: string | null,
): boolean {
  if (origin === undefined) return true;
  if (policy.kind !== 'none') return isOriginAllowed(policy, origin);
  return ownOrigin !== null && serialisedOrigin(origin) === ownOrigin;
}

/** `scheme://host[:port]` as browsers serialise it (lower-case host, no default port), or null for `null` and garbage. */
export function serialisedOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}
