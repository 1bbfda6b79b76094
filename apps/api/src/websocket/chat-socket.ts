import type { WebSocket } from 'ws';
import { ChatParticipant, type ChatDeps } from './chat-participant.js';
import { endWithStream, reportFailure } from './peer.js';
import { readInbox } from './ws-inbound.js';
import type { WsPeer } from './ws-peer.js';
import { closeCodeFor } from './ws-messages.js';
import type { UpgradeQuery } from './ws-routes.js';

/**
 * /api/v1/ws/chat/{session_id}: the seed's `{"type":"message","content":…}` in,
 * `agent_response` out (chunks, then the whole answer with `is_final: true`), `history`
 * on join, `typing`, `agent_status`, and every participant's `user_message`. A session
 * started without signing in takes its secret as `?session_token=`.
 */
export function serveChat(
  ws: WebSocket,
  peer: WsPeer,
  sessionId: string,
  query: Pick<UpgradeQuery, 'lastEventId' | 'sessionToken'>,
  deps: ChatDeps,
): void {
  const { lastEventId, sessionToken } = query;
  const participant = new ChatParticipant(
    peer,
    sessionId,
    deps,
    peer.frames,
    (end) => endWithStream(peer, end, deps, 'session ended'),
    sessionToken,
  );
  readInbox(
    ws,
    peer,
    ['ping', 'message', 'typing'],
    async (message) => {
      switch (message.type) {
        case 'ping':
          return peer.send({
            type: 'pong',
            ...(message.request_id === undefined ? {} : { request_id: message.request_id }),
          });
        case 'typing':
          return participant.setTyping(message.is_typing);
        case 'message':
          return peer.send(
            await participant.say(
              message.content,
              message.agent_id,
              message.request_id === undefined ? {} : { request_id: message.request_id },
            ),
          );
        default: {
          const unknown: never = message;
          throw new Error(`unhandled message ${JSON.stringify(unknown)}`);
        }
      }
    },
    deps.logger,
  );
  ws.once('close', () => participant.leave());
  participant.join(lastEventId).catch((error: unknown) => {
    const status = reportFailure(peer, error, deps, { session_id: sessionId });
    peer.close(closeCodeFor(status), `could not open the session (status ${status})`);
  });
}
