import type { Principal } from '#platform';
import type { OutboundMessage } from './ws-messages.js';

/** Label of websocket_connections_active: the seed's `type`. */
export type PeerKind = 'general' | 'chat' | 'investigations' | 'socketio_chat' | 'socketio_investigations';

/**
 * One connected client, whatever carries it (raw WebSocket or Socket.IO). Endpoint logic
 * (investigation watch, chat participant) talks to this, so both transports share it.
 */
export interface Peer {
  readonly id: string;
  readonly kind: PeerKind;
  readonly principal: Principal;
  readonly correlationId: string;
  send(message: OutboundMessage): void;
  /** Sends batched messages now: a reply to a command does not wait for the batch timer. */
  flush(): void;
  /** More than WEBSOCKET_BUFFER_SIZE bytes wait to be sent to this client. */
  overloaded(): boolean;
  /** Calls `resume` once, when the transport has sent everything it holds. */
  whenDrained(resume: () => void): void;
  /** A stream stopped pulling for this client because it reads too slowly. */
  notePause(): void;
  /** Ends the connection; Socket.IO clients get the code in a `disconnect_reason` event. */
  close(code: number, reason: string): void;
  readonly closed: boolean;
}

/** What the connection registry reports about each open peer (tests and diagnostics). */
export interface PeerStats {
  readonly id: string;
  readonly kind: PeerKind;
  readonly peakBufferedBytes: number;
  readonly pauses: number;
}
