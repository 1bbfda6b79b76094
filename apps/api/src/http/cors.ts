import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface.js';
import { isOriginAllowed, type CorsOrigins } from '#platform';

/** Request headers the seed's clients send: the token, resume point, idempotency and tracing ids. */
const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Last-Event-ID',
  'Idempotency-Key',
  'X-Request-ID',
  'X-Correlation-ID',
  'Cache-Control',
];
/** Response headers a browser script needs to read: ids to quote, when to retry, the export's file name. */
const EXPOSED_HEADERS = [
  'X-Request-ID',
  'X-Correlation-ID',
  'Retry-After',
  'Content-Disposition',
  'WWW-Authenticate',
  // GET /api/v1/streams: the connection's control URL, for a fetch-based reader on another origin.
  'X-Stream-Control',
];

/** CORS for HTTP (EventSource and fetch from a dashboard on another origin); null: same origin only. */
export function corsOptions(policy: CorsOrigins): CorsOptions | null {
  if (policy.kind === 'none') return null;
  return {
    origin: (origin: string | undefined, callback: (error: Error | null, allow?: boolean) => void) =>
      callback(null, isOriginAllowed(policy, origin)),
    methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    // Bearer tokens, never cookies: credentials stay off.
    credentials: false,
    maxAge: 600,
  };
}
