import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { TimerWheel, type Logger, type Metrics, type Principal, type WheelTask } from '#platform';
import { TIMER_WHEEL } from '../tokens.js';
import type { WireFrame } from '../streaming/wire-frame.js';
import type { FrameWriter } from './frame-writer.js';
import type { WatchEnd } from './investigation-watch.js';
import { closeCodeFor, errorFrom, WS_CLOSE, type OutboundMessage } from './ws-messages.js';

/** Label of websocket_connections_active: the seed's `type`. */
export type PeerKind = 'general' | 'chat' | 'investigations' | 'graphql' | 'socketio_chat' | 'socketio_investigations';

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
  /** Hub frames (and other messages made once for many peers) in this peer's form. */
  readonly frames: FrameWriter<WireFrame>;
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

/**
 * A client this many times over WEBSOCKET_BUFFER_SIZE is cut off: streams stop at the
 * bound, but replies to its own messages (and what else is sent outside a stream) do not.
 */
export const HARD_LIMIT_FACTOR = 4;

/** How often a peer that waits for its buffer to drain is looked at. */
const DRAIN_RESOLUTION_MS = 20;
/** The turn of the wheel that ends `/ws` batches: a batch waits its 50 ms and at most this much more. */
const BATCH_RESOLUTION_MS = 10;

/**
 * The clocks every peer of the process shares: the process's timer wheel (pings, idle
 * limits, close grace), a finer one for peers waiting to drain and one for `/ws` batches. No peer has a timer of
 * its own; each wheel runs only while some peer has a slot in it.
 */
@Injectable()
export class PeerTimers implements OnApplicationShutdown {
  readonly drains = new TimerWheel(DRAIN_RESOLUTION_MS);
  readonly batches = new TimerWheel(BATCH_RESOLUTION_MS);

  constructor(@Inject(TIMER_WHEEL) readonly wheel: TimerWheel) {}

  onApplicationShutdown(): void {
    this.drains.stop();
    this.batches.stop();
  }
}

/**
 * A peer's callers waiting for its transport to send what it holds: looked at on each
 * turn of the drain wheel while any wait, resumed together once nothing is pending.
 */
export class DrainWaiters implements WheelTask {
  /** The wheel's (WheelTask), declared so that it is kept in the object itself. */
  wheelSlot: number | undefined = undefined;
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
