import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { TimerWheel, type Principal, type WheelTask } from '#platform';
import { TIMER_WHEEL } from '../tokens.js';
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

/** How often a peer that waits for its buffer to drain is looked at. */
const DRAIN_RESOLUTION_MS = 20;

/**
 * The clocks every peer of the process shares: the process's timer wheel (pings, idle
 * limits, close grace) and a finer one for peers waiting to drain. No peer has a timer of
 * its own; each wheel runs only while some peer has a slot in it.
 */
@Injectable()
export class PeerTimers implements OnApplicationShutdown {
  readonly drains = new TimerWheel(DRAIN_RESOLUTION_MS);

  constructor(@Inject(TIMER_WHEEL) readonly wheel: TimerWheel) {}

  onApplicationShutdown(): void {
    this.drains.stop();
  }
}

/**
 * A peer's callers waiting for its transport to send what it holds: looked at on each
 * turn of the drain wheel while any wait, resumed together once nothing is pending.
 */
export class DrainWaiters implements WheelTask {
  private waiters: Array<() => void> = [];

  constructor(
    private readonly wheel: TimerWheel,
    private readonly pendingBytes: () => number,
    private readonly closed: () => boolean,
  ) {}

  add(resume: () => void): void {
    if (this.closed()) return;
    this.waiters.push(resume);
    this.wheel.schedule(this, 0);
  }

  fire(): void {
    if (this.closed()) return this.clear();
    if (this.pendingBytes() > 0) return this.wheel.schedule(this, 0);
    const waiters = this.waiters;
    this.waiters = [];
    for (const resume of waiters) resume();
  }

  clear(): void {
    this.wheel.cancel(this);
    this.waiters = [];
  }
}
