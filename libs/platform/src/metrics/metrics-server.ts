import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { portsOf, type PortChoice } from '../config/port-range.js';
import type { ReadinessReport } from '../health/readiness.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from './metrics.js';

export interface MetricsServer {
  /** The bound port, or null when the listener could not start. */
  readonly port: number | null;
  close(): Promise<void>;
}

type Readiness = () => Promise<ReadinessReport>;

/**
 * A bare endpoint for processes without an HTTP API (workers): GET /metrics for
 * Prometheus, and, given `readiness`, GET /health (liveness) and GET /health/ready (the
 * same document as the api's, 503 naming the dependency that is down).
 * Given a range (METRICS_PORT=9464-9474) it takes the first free port of it, so several
 * workers share a host; the port it took is logged. A port, or a whole range, already taken
 * is logged and tolerated: a worker's job is commands, not scrapes.
 */
export async function startMetricsServer(
  metrics: Metrics,
  port: PortChoice,
  host: string,
  logger: Logger,
  readiness?: Readiness,
): Promise<MetricsServer> {
  const server = createServer((req, res) => route(req, res, { metrics, logger, readiness }));
  const bound = await listenOnFirstFree(server, portsOf(port), host).catch((error: unknown) => {
    logger.warn(
      { err: error, port },
      typeof port === 'number' && port !== 0
        ? `metrics listener not started: port ${port} is not free (a second worker on this host: METRICS_PORT=${port}-${port + 10}, or 0)`
        : 'metrics listener not started: no port of METRICS_PORT is free',
    );
    return null;
  });
  if (bound !== null) logger.info({ port: bound }, `metrics listening on port ${bound}`);
  return {
    port: bound,
    close: async () => {
      if (bound === null) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A scraper's kept-alive connection would otherwise hold the exit for its idle timeout.
      server.closeAllConnections();
      await closed;
    },
  };
}

function route(
  req: IncomingMessage,
  res: ServerResponse,
  deps: { metrics: Metrics; logger: Logger; readiness: Readiness | undefined },
): void {
  const path = (req.url ?? '').split('?')[0];
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res
      .writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers })
      .end(JSON.stringify(body));
  };
  const { metrics, logger, readiness } = deps;
  if (req.method === 'GET' && path === '/metrics') {
    metrics.registry.metrics().then(
      (text) =>
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' }).end(text),
      (error: unknown) => {
        logger.error({ err: error }, 'metrics collection failed');
        res.writeHead(500).end();
      },
    );
    return;
  }
  if (req.method === 'GET' && readiness && path === '/health')
    return json(200, { status: 'ok', uptime_seconds: Math.round(process.uptime()) });
  if (req.method === 'GET' && readiness && path === '/health/ready') {
    void readiness().then((report) =>
      report.status === 'ready'
        ? json(200, report)
        : json(
            503,
            { error_code: 'NOT_READY', message: JSON.stringify(report), details: report },
            { 'Retry-After': '5' },
          ),
    );
    return;
  }
  json(404, {
    error_code: 'NOT_FOUND',
    message: readiness ? 'GET /metrics, /health and /health/ready are served here' : 'only GET /metrics is served here',
  });
}

/** Binds the first port of `ports` that is free; fails with the last port's error when none is. */
async function listenOnFirstFree(server: Server, ports: number[], host: string): Promise<number> {
  let lastError: unknown = new Error('no port to listen on');
  for (const port of ports) {
    try {
      return await listen(server, port, host);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      lastError = error;
    }
  }
  throw lastError;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
