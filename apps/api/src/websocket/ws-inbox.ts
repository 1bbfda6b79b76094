import type { RawData, WebSocket } from 'ws';
import type { Logger } from '#platform';
import { parseInbound, type Inbound, type InboundType } from './ws-inbound.js';
import { errorMessage } from './ws-messages.js';
import type { WsPeer } from './ws-peer.js';

/** Commands from one client waiting for the one before them; more is a flood. */
const MAX_QUEUED = 64;

const asBuffer = (data: RawData): Buffer =>
  Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);

const parseAuth = (buffer: Buffer) => parseInbound(buffer, ['auth'] as const);

async function refreshToken(peer: WsPeer, message: Inbound<'auth'>): Promise<void> {
  const echo = message.request_id === undefined ? {} : { request_id: message.request_id };
  const answer = peer.refreshToken
    ? await peer.refreshToken(message.token)
    : errorMessage('UNKNOWN_MESSAGE_TYPE', 'this connection takes no token');
  peer.send({ ...answer, ...echo });
}

/**
 * Reads a client's messages one at a time, in order: a `resume` must not overtake the
 * `cancel` sent before it. Bad frames get an error message; a failing handler gets an
 * INTERNAL_ERROR message and is logged; neither closes the connection.
 */
export function readInbox<K extends InboundType>(
  ws: WebSocket,
  peer: WsPeer,
  allowed: readonly K[],
  handle: (message: Inbound<K>) => Promise<void> | void,
  logger: Logger,
): void {
  let chain: Promise<void> = Promise.resolve();
  let queued = 0;
  ws.on('message', (data) => {
    peer.touch();
    if (queued >= MAX_QUEUED) {
      peer.send(errorMessage('TOO_MANY_PENDING', `more than ${MAX_QUEUED} messages wait for an answer; slow down`));
      peer.flush();
      return;
    }
    const buffer = asBuffer(data);
    const parsed = parseInbound(buffer, allowed);
    // Every endpoint takes a fresh token too; only messages it does not know are read as one.
    const auth = !parsed.ok && parsed.error.error_code === 'UNKNOWN_MESSAGE_TYPE' ? parseAuth(buffer) : null;
    queued++;
    // Errors take their turn too: replies come in the order of the messages they answer.
    chain = chain
      .then(() => {
        if (peer.closed) return undefined;
        if (auth?.ok) return refreshToken(peer, auth.message);
        if (auth && auth.error.error_code !== 'UNKNOWN_MESSAGE_TYPE') return peer.send(auth.error);
        if (!parsed.ok) return peer.send(parsed.error);
        return handle(parsed.message);
      })
      .catch((error: unknown) => {
        logger.error({ err: error, connection: peer.id }, 'websocket message handler failed');
        peer.send(errorMessage('INTERNAL_ERROR', 'the message could not be handled; retry shortly'));
      })
      .finally(() => {
        queued--;
        peer.flush();
      });
  });
}
