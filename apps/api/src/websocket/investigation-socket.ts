import type { WebSocket } from 'ws';
import { InvestigationWatch, type WatchDeps } from './investigation-watch.js';
import { endWithStream } from './ws-endings.js';
import { readInbox } from './ws-inbox.js';
import type { WsPeer } from './ws-peer.js';

/**
 * /api/v1/ws/investigations/{id}: the SSE stream's messages (`progress`, `phase`,
 * `anomaly`, `complete`…) each with its `id`; commands in: `cancel`, `resume` with
 * `last_event_id`, `ping`. Closes with 1000 after the terminal event.
 */
export function serveInvestigation(
  ws: WebSocket,
  peer: WsPeer,
  investigationId: string,
  afterId: number,
  deps: WatchDeps,
): void {
  const watch = new InvestigationWatch(
    peer,
    investigationId,
    deps,
    (frame) => peer.sendText(frame.ws),
    (end) => endWithStream(peer, end, deps, 'investigation finished'),
  );
  readInbox(
    ws,
    peer,
    ['ping', 'cancel', 'resume'],
    async (message) => {
      const echo = message.request_id === undefined ? {} : { request_id: message.request_id };
      switch (message.type) {
        case 'ping':
          return peer.send({ type: 'pong', ...echo });
        case 'cancel':
          return peer.send(await watch.cancel(message.reason, echo));
        case 'resume':
          // The ack goes first: everything after it is the stream after last_event_id.
          peer.send({
            type: 'ack',
            command: 'resume',
            investigation_id: investigationId,
            last_event_id: message.last_event_id,
            ...echo,
          });
          return watch.start(message.last_event_id);
        default: {
          const unknown: never = message;
          throw new Error(`unhandled message ${JSON.stringify(unknown)}`);
        }
      }
    },
    deps.logger,
  );
  ws.once('close', () => watch.stop());
  watch.start(afterId);
}
