import type { Consumer } from '@nats-io/jetstream';
import type { Logger } from '../../logging/logger.js';
import type { Metrics } from '../../metrics/metrics.js';

/**
 * Refreshes jetstream_consumer_pending (commands not yet delivered to any worker) on a
 * timer, the backlog signal for scaling workers. Returns the function that stops it.
 */
export function startPendingReporter(
  consumer: Consumer,
  consumerName: string,
  deps: { readonly metrics: Metrics; readonly logger: Logger; readonly intervalMs: number },
): () => void {
  let refreshing = false;
  const refresh = async (): Promise<void> => {
    // A slow server must not pile up info requests.
    if (refreshing) return;
    refreshing = true;
    try {
      const info = await consumer.info();
      deps.metrics.consumerPending.set({ consumer: consumerName }, info.num_pending);
    } catch (error) {
      deps.logger.debug({ err: error }, 'could not read consumer info for the pending gauge');
    } finally {
      refreshing = false;
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), deps.intervalMs);
  // The gauge alone must never keep a process alive.
  timer.unref();
  return () => clearInterval(timer);
}
