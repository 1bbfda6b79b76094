import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import { StreamingCompressionMiddleware, type Runtime } from '#platform';
import type { LiveFeed } from '#eventsourcing';
import { corsOptions } from './cors.js';
import { requestObserver } from './request-observer.middleware.js';

/** The seed's minimum_size: smaller bodies cost more to gzip than they save. */
const COMPRESSION_MINIMUM_SIZE = 256;

/** Middleware every request passes, whichever way it is served; each calls next() before it returns. */
export type EdgeMiddleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * Middleware that must see every request first, in order: CORS (when CORS_ORIGINS allows
 * other origins), the request log and duration metric (which also set the request ids),
 * then the streaming gzip when STREAMING_COMPRESSION. Express installs them and the stream
 * fast path runs the same ones.
 */
export function edgeMiddleware(runtime: Runtime): EdgeMiddleware[] {
  const { corsOrigins, compression: gzip } = runtime.settings.http;
  const edge: EdgeMiddleware[] = [];
  const crossOrigin = corsOptions(corsOrigins);
  if (crossOrigin) edge.push(cors(crossOrigin) as EdgeMiddleware);
  edge.push(requestObserver(runtime.logger, runtime.metrics));
  if (gzip.enabled) {
    const compression = new StreamingCompressionMiddleware({
      minimumSize: COMPRESSION_MINIMUM_SIZE,
      compressionLevel: gzip.level,
      chunkSize: gzip.chunkSize,
      adaptive: gzip.adaptive,
      minFrameBytes: gzip.minFrameBytes,
    });
    edge.push(compression.use);
  }
  return edge;
}

/** projection_lag_events: how far this process's live feed is behind the store head. */
export function measureProjectionLag(runtime: Runtime, feed: LiveFeed): () => void {
  return runtime.metrics.measureProjectionLag(async () =>
    Math.max(0, (await runtime.store.headPosition()) - feed.position),
  );
}
