import type { Socket } from 'socket.io';
import type { Principal, WebSocketSettings, WheelTask } from '#platform';
import type { WireFrame } from '../../streaming/wire-frame.js';
import { DrainWaiters, HARD_LIMIT_FACTOR, type Peer, type PeerKind, type PeerStats, type PeerTimers } from '../peer.js';
import { WS_CLOSE, type OutboundMessage } from '../ws-messages.js';
import type { FrameWriter } from '../frame-writer.js';
import { emitFrames, frameBytes, isRecord } from './io-frames.js';

/** The engine's packets not yet handed to the transport, plus what the transport's socket still holds. */
function pendingBytes(socket: Socket): number {
  // engine.io keeps these private: they are checked field by field, as data of unknown shape.
  const conn: unknown = socket.conn;
  if (!isRecord(conn)) return 0;
  const transportSocket = isRecord(conn.transport) ? conn.transport.socket : undefined;
  const buffered = isRecord(transportSocket) ? transportSocket.bufferedAmount : undefined;
  let bytes = typeof buffered === 'number' ? buffered : 0;
  const packets: unknown = conn.writeBuffer;
  if (!Array.isArray(packets)) return bytes;
  const list: readonly unknown[] = packets;
  for (const packet of list) if (isRecord(packet) && typeof packet.data === 'string') bytes += packet.data.length;
  return bytes;
}

/** Codes after which a Socket.IO client should reconnect by itself (transport close), not stay away. */
const RECONNECT_CODES: ReadonlySet<number> = new Set([
  WS_CLOSE.SERVICE_RESTART,
  WS_CLOSE.TRY_AGAIN_LATER,
  WS_CLOSE.SERVER_ERROR,
]);

/**
 * A Socket.IO client as a Peer: each message is emitted under its `type` (`progress`,
 * `agent_response`…) with the same payload as on the raw WebSocket. Its idle limit is a slot
 * of the process's timer wheel (engine.io runs the pings); its buffer is measured once per
 * message sent and read from there.
 */
export class IoPeer implements Peer, WheelTask {
  /** The wheel's (WheelTask), declared so that it is kept in the object itself. */
  wheelSlot: number | undefined = undefined;
  readonly id: string;
  private readonly limit: number;
  private readonly idleMs: number;
  private readonly drains: DrainWaiters;
  private lastActivityMs: number;
  private buffered = 0;
  private peak = 0;
  private pauses = 0;
  private ending = false;
  /** Hub frames as their shared packets, a hub write's frames in one socket write. */
  readonly frames: FrameWriter<WireFrame> = {
    room: () => this.limit - pendingBytes(this.socket),
    size: (frame) => frameBytes(this.socket, frame),
    write: (frames) => this.sendFrames(frames),
    overloaded: () => this.overloaded(),
  };

  constructor(
    private readonly socket: Socket,
    readonly kind: PeerKind,
    readonly principal: Principal,
    readonly correlationId: string,
    websocket: Pick<WebSocketSettings, 'bufferSize' | 'timeoutSeconds'>,
    private readonly timers: PeerTimers,
  ) {
    this.id = socket.id;
    this.limit = websocket.bufferSize;
    this.idleMs = websocket.timeoutSeconds * 1000;
    this.drains = new DrainWaiters(
      timers.drains,
      () => pendingBytes(this.socket),
      () => this.closed,
    );
    this.lastActivityMs = timers.wheel.nowMs;
    // Replies (acknowledgements, Nest's answers) bypass send(): each message in measures what they left.
    socket.onAny(() => {
      this.touch();
      this.measure();
    });
    socket.once('disconnect', () => this.dispose());
    this.reschedule();
  }

  get closed(): boolean {
    return this.ending || this.socket.disconnected;
  }

  send(message: OutboundMessage): void {
    if (this.closed) return;
    this.touch();
    this.socket.emit(message.type, message);
    this.measure();
  }

  /** Hub frames, their packets shared with every socket of the namespace that gets them. */
  private sendFrames(frames: readonly WireFrame[]): void {
    if (this.closed) return;
    this.touch();
    emitFrames(this.socket, frames);
    this.measure();
  }

  flush(): void {
    // Socket.IO writes every emit at once.
  }

  overloaded(): boolean {
    return this.buffered > this.limit;
  }

  whenDrained(resume: () => void): void {
    this.drains.add(resume);
  }

  notePause(): void {
    this.pauses++;
  }

  /** `disconnect_reason` carries the WebSocket close code; a restart closes the transport so the client reconnects and resumes. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.socket.emit('disconnect_reason', { code, reason });
    this.ending = true;
    if (RECONNECT_CODES.has(code)) this.socket.conn.close();
    else this.socket.disconnect(true);
  }

  stats(): PeerStats {
    return { id: this.id, kind: this.kind, peakBufferedBytes: this.peak, pauses: this.pauses };
  }

  /** The wheel's call: closes a connection idle for WEBSOCKET_TIMEOUT. */
  fire(nowMs: number): void {
    if (this.closed) return;
    if (nowMs - this.lastActivityMs >= this.idleMs)
      return this.close(WS_CLOSE.NORMAL, `idle for ${this.idleMs / 1000} s`);
    this.reschedule();
  }

  private touch(): void {
    this.lastActivityMs = this.timers.wheel.nowMs;
  }

  private measure(): void {
    this.buffered = pendingBytes(this.socket);
    if (this.buffered > this.peak) this.peak = this.buffered;
    if (this.buffered > this.limit * HARD_LIMIT_FACTOR && !this.closed) this.cutOff();
  }

  /** Past the hard limit: the pending packets are dropped, as a reconnect and resume would get them again. */
  private cutOff(): void {
    this.ending = true;
    this.socket.conn.close(true);
  }

  private reschedule(): void {
    const { wheel } = this.timers;
    wheel.schedule(this, Math.max(0, this.lastActivityMs + this.idleMs - wheel.nowMs));
  }

  private dispose(): void {
    this.ending = true;
    this.timers.wheel.cancel(this);
    this.drains.clear();
  }
}
