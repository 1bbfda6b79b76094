import type { Socket } from 'socket.io';
import type { Principal, WebSocketSettings } from '#platform';
import type { WireFrame } from '../../streaming/wire-frame.js';
import type { Peer, PeerKind, PeerStats } from '../peer.js';
import { WS_CLOSE, type OutboundMessage } from '../ws-messages.js';
import { emitFrame } from './io-frames.js';

const DRAIN_POLL_MS = 20;

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null;

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
 * `agent_response`…) with the same payload as on the raw WebSocket.
 */
export class IoPeer implements Peer {
  readonly id: string;
  private readonly limit: number;
  private readonly idle: NodeJS.Timeout;
  private drainTimer: NodeJS.Timeout | null = null;
  private drainWaiters: Array<() => void> = [];
  private peak = 0;
  private pauses = 0;
  private ending = false;

  constructor(
    private readonly socket: Socket,
    readonly kind: PeerKind,
    readonly principal: Principal,
    readonly correlationId: string,
    websocket: WebSocketSettings,
  ) {
    this.id = socket.id;
    this.limit = websocket.bufferSize;
    this.idle = setTimeout(
      () => this.close(WS_CLOSE.NORMAL, `idle for ${websocket.timeoutSeconds} s`),
      websocket.timeoutSeconds * 1000,
    );
    this.idle.unref();
    socket.onAny(() => this.idle.refresh());
    socket.once('disconnect', () => this.dispose());
  }

  get closed(): boolean {
    return this.ending || this.socket.disconnected;
  }

  send(message: OutboundMessage): void {
    if (this.closed) return;
    this.idle.refresh();
    this.socket.emit(message.type, message);
    this.peak = Math.max(this.peak, pendingBytes(this.socket));
  }

  /** A hub frame, its packet shared with every socket of the namespace that gets it. */
  sendFrame(frame: WireFrame): void {
    if (this.closed) return;
    this.idle.refresh();
    emitFrame(this.socket, frame);
    this.peak = Math.max(this.peak, pendingBytes(this.socket));
  }

  flush(): void {
    // Socket.IO writes every emit at once.
  }

  overloaded(): boolean {
    return pendingBytes(this.socket) > this.limit;
  }

  whenDrained(resume: () => void): void {
    this.drainWaiters.push(resume);
    this.drainTimer ??= setInterval(() => {
      if (!this.closed && pendingBytes(this.socket) > 0) return;
      this.stopDrainPoll();
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      if (!this.closed) for (const waiter of waiters) waiter();
    }, DRAIN_POLL_MS);
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

  private stopDrainPoll(): void {
    if (this.drainTimer) clearInterval(this.drainTimer);
    this.drainTimer = null;
  }

  private dispose(): void {
    this.ending = true;
    clearTimeout(this.idle);
    this.stopDrainPoll();
    this.drainWaiters = [];
  }
}
