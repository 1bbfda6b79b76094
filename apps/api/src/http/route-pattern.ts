import type { Request } from 'express';

/**
 * The route a request matched, as declared (`/api/v1/investigations/stream/:id`), never the
 * raw path: a metric label per investigation id would grow without bound.
 */
export function routePatternOf(req: Request): string {
  const declared: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof declared === 'string') return `${req.baseUrl}${declared}`;
  if (Array.isArray(declared)) {
    // One handler under several paths (/metrics and /health/metrics): the one that matched.
    const paths = declared.filter((p): p is string => typeof p === 'string');
    const path = paths.find((p) => p === req.path) ?? paths[0];
    if (path !== undefined) return `${req.baseUrl}${path}`;
  }
  // Mounted middleware (static assets) has its mount point; anything else matched no route.
  return req.baseUrl || 'unmatched';
}
