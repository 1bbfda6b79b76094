import type { Logger, Metrics } from '#platform';
import type { WatchEnd } from './investigation-watch.js';
import type { Peer } from './peer.js';
import { closeCodeFor, errorFrom, WS_CLOSE } from './ws-messages.js';

const RESTART_REASON = 'service restart: reconnect and resume with your last event id';

/** Reports a failed stream to its peer: the error message, and whether it is the server's fault. */
export function reportFailure(
  peer: Peer,
  error: unknown,
  deps: { logger: Logger; metrics: Metrics },
  extra: Record<string, unknown> = {},
): number {
  const { status, message } = errorFrom(error, extra);
  if (status >= 500) {
    deps.metrics.streamingErrors.inc({ type: 'websocket', endpoint: peer.kind });
    deps.logger.error({ err: error, connection: peer.id, kind: peer.kind, ...extra }, 'websocket stream failed');
  }
  peer.send(message);
  peer.flush();
  return status;
}

/** How a single-stream connection ends with its stream: 1000 finished, 1012 cut by a shutdown, else the error's code. */
export function endWithStream(
  peer: Peer,
  end: WatchEnd,
  deps: { logger: Logger; metrics: Metrics },
  finishedReason: string,
): void {
  if (peer.closed) return;
  if (end.kind === 'finished') return peer.close(WS_CLOSE.NORMAL, finishedReason);
  if (end.kind === 'interrupted') return peer.close(WS_CLOSE.SERVICE_RESTART, RESTART_REASON);
  const status = reportFailure(peer, end.error, deps);
  peer.close(closeCodeFor(status), `stream failed with status ${status}`);
}
