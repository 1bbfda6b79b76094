import type { INestApplication } from '@nestjs/common';
import { StreamingCompressionMiddleware, type Runtime } from '#platform';
import type { LiveFeed } from '#eventsourcing';
import { requestObserver } from './request-observer.middleware.js';

/** The seed's minimum_size: smaller bodies cost more to gzip than they save. */
const COMPRESSION_MINIMUM_SIZE = 256;

/**
 * Middleware that must see every request first: the request log and duration metric
 * (which also set the request ids), then the streaming gzip when STREAMING_COMPRESSION.
 */
export function installHttpObservability(app: INestApplication, runtime: Runtime): void {
  const { compression: gzip } = runtime.settings.http;
  app.use(requestObserver(runtime.logger, runtime.metrics));
  if (gzip.enabled) {
    const compression = new StreamingCompressionMiddleware({
      minimumSize: COMPRESSION_MINIMUM_SIZE,
      compressionLevel: gzip.level,
      chunkSize: gzip.chunkSize,
    });
    app.use(compression.use);
  }
}

/** projection_lag_events: how far this process's live feed is behind the store head. */
export function measureProjectionLag(runtime: Runtime, feed: LiveFeed): () => void {
  return runtime.metrics.measureProjectionLag(async () =>
    Math.max(0, (await runtime.store.headPosition()) - feed.position),
  );
}
