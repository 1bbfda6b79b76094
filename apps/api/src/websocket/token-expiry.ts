import type { Principal, WheelTask } from '#platform';
import type { Peer } from './peer.js';
import { errorMessage, WS_CLOSE } from './ws-messages.js';

export const TOKEN_EXPIRED_MESSAGE =
  'the token of this connection expired; send {"type":"auth","token":…} before expiry, or reconnect with a new token';

/**
 * A connection's token deadline, a slot of the process's timer wheel: at it the client
 * gets an error message and the close 1008 (Socket.IO: the same in `disconnect_reason`),
 * unless a fresh token for the same user moved it on.
 */
export class TokenExpiry implements WheelTask {
  /** The wheel's (WheelTask), declared so that it is kept in the object itself. */
  wheelSlot: number | undefined = undefined;
  constructor(
    private readonly peer: Peer,
    /** Epoch seconds. */
    public expiresAt: number,
  ) {}

  /** Milliseconds from `nowMs` until the deadline. */
  delayFrom(nowMs: number): number {
    return Math.max(0, this.expiresAt * 1000 - nowMs);
  }

  fire(nowMs: number): void {
    if (this.peer.closed) return;
    if (nowMs < this.expiresAt * 1000) return;
    this.peer.send(errorMessage('TOKEN_EXPIRED', TOKEN_EXPIRED_MESSAGE));
    this.peer.flush();
    this.peer.close(WS_CLOSE.POLICY, 'token expired');
  }
}

/** Why a fresh token cannot replace a connection's current one, or null when it can. */
export function refusalOf(current: Principal, fresh: Principal): string | null {
  if (fresh.id !== current.id) return 'the new token names another user; reconnect to change user';
  return null;
}
