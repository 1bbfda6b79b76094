import type { Logger } from '#platform';
import type { LiveFeed } from '#eventsourcing';
import type { HttpDrain } from './http-drain.js';
import type { ShutdownRegistry } from './shutdown-registry.js';

export interface ApiDrainDeps {
  readonly http: HttpDrain;
  readonly feed: LiveFeed;
  readonly registry: ShutdownRegistry;
  readonly logger: Logger;
  /** In-flight requests still running after this are cut off. */
  readonly deadlineMs: number;
}

/**
 * The HTTP side of a graceful stop, in an order every client recovers from: no new
 * connections; SSE streams end cleanly (clients reconnect with Last-Event-ID and miss
 * nothing); WebSockets close with 1012; then the requests in flight finish.
 */
export async function drainApi({ http, feed, registry, logger, deadlineMs }: ApiDrainDeps): Promise<void> {
  const responses = http.drain(deadlineMs);
  feed.close();
  await registry.run(logger);
  await responses;
}
