import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from './metrics.js';

export interface MetricsServer {
  /** The bound port, or null when the listener could not start. */
  readonly port: number | null;
  close(): Promise<void>;
}

/**
 * A bare Prometheus endpoint for processes without an HTTP API (workers): GET /metrics.
 * A port already taken is logged and tolerated: a worker's job is commands, not scrapes.
 */
export async function startMetricsServer(metrics: Metrics, port: number, host: string, logger: Logger): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error_code: 'NOT_FOUND', message: 'only GET /metrics is served here' }));
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' }).end(text),
      (error: unknown) => {
        logger.error({ err: error }, 'metrics collection failed');
        res.writeHead(500).end();
      },
    );
  });
  const bound = await listen(server, port, host).catch((error: unknown) => {
    logger.warn({ err: error, port }, 'metrics listener not started');
    return null;
  });
  if (bound !== null) logger.info({ port: bound }, 'metrics listening');
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

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
