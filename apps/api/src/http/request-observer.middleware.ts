import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import type { Logger, Metrics } from '#platform';
import { echoRequestIds, requestIdsOf } from './request-ids.js';
import { routePatternOf } from './route-pattern.js';

// Probes and scrapes arrive every few seconds; at info they would drown the requests that matter.
const QUIET_ROUTES = new Set(['/health', '/health/ready', '/health/metrics', '/metrics']);

const STARTED = Symbol('requestStarted');

/**
 * One log line and one http_request_duration_seconds observation per request, taken when
 * the response closes: an SSE stream counts until it ends. Also assigns and echoes the
 * request and correlation ids the log line, the response and the stored events share.
 * A response keeps only its start time for this: the 'close' listener is one function
 * for all of them, and the ids are the request's own (requestIdsOf).
 */
export function requestObserver(logger: Logger, metrics: Metrics) {
  const log = logger.child({ component: 'http' });
  function observe(this: ServerResponse): void {
    report(this);
  }
  const report = (res: ServerResponse): void => {
    const req = res.req;
    const seconds = (performance.now() - (Reflect.get(res, STARTED) as number)) / 1000;
    const ids = requestIdsOf(req);
    // Express (or the stream fast path) has set req.route by the time the response closes.
    const route = routePatternOf(req as Request);
    const status = res.statusCode;
    metrics.httpRequestDuration.observe({ method: req.method, endpoint: route, status: String(status) }, seconds);
    const line = {
      request_id: ids.requestId,
      correlation_id: ids.correlationId,
      method: req.method,
      route,
      status,
      duration_ms: Math.round(seconds * 1000 * 10) / 10,
      // Closed before the response was complete: the client went away, or shutdown cut it.
      ...(res.writableFinished ? {} : { aborted: true }),
    };
    // 503 is a dependency or capacity the client waits out (Retry-After); any other 5xx is a defect.
    if (status === 503) log.warn(line, 'request completed');
    else if (status >= 500) log.error(line, 'request completed');
    else if (QUIET_ROUTES.has(route)) log.debug(line, 'request completed');
    else log.info(line, 'request completed');
  };
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    Reflect.set(res, STARTED, performance.now());
    echoRequestIds(req, res);
    // 'close' comes once per response; on() spares the once-wrapper a long-lived stream would keep.
    res.on('close', observe);
    next();
  };
}
