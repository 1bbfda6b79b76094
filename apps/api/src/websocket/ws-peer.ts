import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import {
  batchedMessage,
  batchText,
  MessageBatcher,
  newId,
  type BatchedMessage,
  type Logger,
  type Principal,
  type WebSocketSettings,
  type WheelTask,
} from '#platform';
import type { WireFrame } from '../streaming/wire-frame.js';
import { deflateNegotiated } from './ws-deflate.js';
import type { FrameWriter } from './frame-writer.js';
import { batchFrameOf, textFrameOf, textFramesOf } from './ws-frames.js';
import { DrainWaiters, HARD_LIMIT_FACTOR, type Peer, type PeerKind, type PeerStats, type PeerTimers } from './peer.js';
import { closeReason, WS_CLOSE, type OutboundMessage } from './ws-messages.js';

/** A close frame queued behind a full buffer may never leave: the socket goes anyway. */
const CLOSE_GRACE_MS = 5_000;

export { encodeTextFrame, textFrameOf } from './ws-frames.js';

export interface WsPeerOptions {
  readonly kind: PeerKind;
  readonly principal: Principal;
  readonly correlationId: string;
  /** The general endpoint batches; the seed's per-stream endpoints send each message alone. */
  readonly batching: boolean;
  readonly websocket: Pick<WebSocketSettings, 'bufferSize' | 'pingIntervalSeconds' | 'timeoutSeconds' | 'deflate'>;
  readonly logger: Logger;
  readonly timers: PeerTimers;
}

/**
 * A raw `ws` client as a Peer: bounded send buffer, optional batching, and one slot in the
 * process's timer wheel for its pings, idle timeout and close grace. Protocol pings find
 * peers that vanished without a FIN; a peer that has not answered the previous ping by the
 * next is dropped. Pongs prove the peer alive, not in use: they do not count as activity.
 */
export class WsPeer implements Peer, WheelTask {
  /** The wheel's (WheelTask), declared so that it is kept in the object itself. */
  wheelSlot: number | undefined = undefined;
  readonly id = newId();
  readonly kind: PeerKind;
  readonly principal: Principal;
  readonly correlationId: string;
  private readonly batcher: MessageBatcher | null;
  private readonly drains: DrainWaiters;
  private readonly limit: number;
  private readonly pingMs: number;
  private readonly idleMs: number;
  private lastActivityMs: number;
  private nextPingMs: number;
  private awaitingPong = false;
  private closeDeadlineMs: number | null = null;
  private peak = 0;
  private pauses = 0;
  private ending = false;
  /**
   * permessage-deflate negotiated: `ws` compresses each message with this connection's own
   * context, asynchronously and in order, so hub frames go through it rather than past it.
   */
  private readonly deflating: boolean;
  /**
   * Messages shorter than this go uncompressed. `ws` itself compresses every message while
   * the context is kept; RFC 7692 lets a message go uncompressed in between (neither side
   * adds it to its window), so the threshold is applied here.
   */
  private readonly deflateThreshold: number;
  /** Takes a fresh token sent on this connection (set by whoever tracks its expiry). */
  refreshToken: ((token: string) => Promise<OutboundMessage>) | null = null;
  /** Hub frames as their shared text frames, a hub write's frames in one socket write; batched peers take their shared texts. */
  readonly frames: FrameWriter<WireFrame> = {
    room: () => this.room(),
    size: (frame) => (this.batcher ? Buffer.byteLength(frame.ws) : textFrameOf(frame).length),
    write: (frames) => this.sendFrames(frames),
    overloaded: () => this.overloaded(),
  };

  constructor(
    private readonly ws: WebSocket,
    /** The upgraded socket `ws` writes to: hub frames, already framed, go to it directly. */
    private readonly socket: Duplex,
    private readonly options: WsPeerOptions,
  ) {
    this.kind = options.kind;
    this.principal = options.principal;
    this.correlationId = options.correlationId;
    const { websocket, timers } = options;
    this.limit = websocket.bufferSize;
    this.pingMs = websocket.pingIntervalSeconds * 1000;
    this.idleMs = websocket.timeoutSeconds * 1000;
    this.deflating = deflateNegotiated(ws);
    this.deflateThreshold = websocket.deflate === false ? Infinity : websocket.deflate.threshold;
    this.batcher = options.batching
      ? new MessageBatcher((messages) => this.writeBatch(messages), timers.batches)
      : null;
    this.drains = new DrainWaiters(
      timers.drains,
      () => this.buffered(),
      () => this.closed,
    );
    this.lastActivityMs = timers.wheel.nowMs;
    this.nextPingMs = this.lastActivityMs + this.pingMs;
    ws.on('pong', () => {
      this.awaitingPong = false;
    });
    ws.once('close', () => this.dispose());
    this.reschedule();
  }

  get closed(): boolean {
    return this.ending || this.ws.readyState !== this.ws.OPEN;
  }

  /** Application traffic either way keeps the connection out of the idle timeout. */
  touch(): void {
    this.lastActivityMs = this.options.timers.wheel.nowMs;
  }

  send(message: OutboundMessage): void {
    this.sendText(JSON.stringify(message));
  }

  /** A message already encoded (a hub frame's text, shared by every subscriber). */
  sendText(json: string): void {
    if (this.closed) return;
    this.touch();
    if (this.batcher) this.batcher.push(batchedMessage(json));
    else this.write(json);
    this.checkBounds();
  }

  /** Messages made once for every peer that gets them (a stream's tagged hub frames), in order. */
  sendMessages(messages: readonly BatchedMessage[]): void {
    if (this.closed) return;
    this.touch();
    if (this.batcher) for (const message of messages) this.batcher.push(message);
    else for (const message of messages) this.write(message.text);
    this.checkBounds();
  }

  sendFrame(frame: WireFrame): void {
    this.sendFrames([frame]);
  }

  /**
   * Hub frames: their text frames' bytes, made once for every peer, written as they are in
   * one write (`ws` holds nothing back without compression); batched peers take their shared
   * texts, and a deflating peer its texts through `ws`'s compressor.
   */
  sendFrames(frames: readonly WireFrame[]): void {
    if (this.closed) return;
    this.touch();
    if (this.batcher) for (const frame of frames) this.batcher.push(batchedMessage(frame.ws));
    else if (this.deflating) for (const frame of frames) this.write(frame.ws);
    else if (!this.socket.destroyed) this.socket.write(textFramesOf(frames));
    this.checkBounds();
  }

  flush(): void {
    this.batcher?.flush();
  }

  overloaded(): boolean {
    return this.buffered() > this.limit;
  }

  /** Bytes it takes before passing WEBSOCKET_BUFFER_SIZE. */
  room(): number {
    return this.limit - this.buffered();
  }

  whenDrained(resume: () => void): void {
    this.drains.add(resume);
  }

  notePause(): void {
    this.pauses++;
  }

  close(code: number, reason: string): void {
    if (this.ending) return;
    this.ending = true;
    this.batcher?.flush();
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING)
      this.ws.close(code, closeReason(reason));
    this.closeDeadlineMs = this.options.timers.wheel.nowMs + CLOSE_GRACE_MS;
    this.reschedule();
  }

  stats(): PeerStats {
    return { id: this.id, kind: this.kind, peakBufferedBytes: this.peak, pauses: this.pauses };
  }

  /** The wheel's call: the close grace over, the idle limit reached, or a ping due. */
  fire(nowMs: number): void {
    if (this.closeDeadlineMs !== null) {
      if (nowMs >= this.closeDeadlineMs) return this.ws.terminate();
      return this.reschedule();
    }
    if (this.closed) return;
    if (nowMs - this.lastActivityMs >= this.idleMs)
      return this.close(WS_CLOSE.NORMAL, `idle for ${this.idleMs / 1000} s; reconnect with your last event id`);
    if (nowMs >= this.nextPingMs) {
      if (this.awaitingPong) {
        this.options.logger.info(
          { connection: this.id, kind: this.kind },
          'websocket peer did not answer a ping; dropping it',
        );
        return this.ws.terminate();
      }
      this.awaitingPong = true;
      this.ws.ping();
      this.nextPingMs = nowMs + this.pingMs;
    }
    this.reschedule();
  }

  private reschedule(): void {
    const { wheel } = this.options.timers;
    const due = this.closeDeadlineMs ?? Math.min(this.nextPingMs, this.lastActivityMs + this.idleMs);
    wheel.schedule(this, Math.max(0, due - wheel.nowMs));
  }

  private buffered(): number {
    return this.ws.bufferedAmount + (this.batcher?.pendingBytes ?? 0);
  }

  private write(frame: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.deflating) this.ws.send(frame, { compress: Buffer.byteLength(frame) >= this.deflateThreshold });
    else this.ws.send(frame);
  }

  /** A flush's frame, shared with every peer that flushes the same messages, written as it is. */
  private writeBatch(messages: readonly BatchedMessage[]): void {
    if (this.deflating) this.write(batchText(messages));
    else if (this.ws.readyState === this.ws.OPEN && !this.socket.destroyed) this.socket.write(batchFrameOf(messages));
  }

  private checkBounds(): void {
    const buffered = this.buffered();
    if (buffered > this.peak) this.peak = buffered;
    if (buffered <= this.limit * HARD_LIMIT_FACTOR) return;
    this.options.logger.warn(
      { connection: this.id, kind: this.kind, buffered, limit: this.limit },
      'websocket send buffer overflow; closing',
    );
    this.close(
      WS_CLOSE.TRY_AGAIN_LATER,
      'send buffer full: the client reads too slowly; reconnect with your last event id',
    );
  }

  private dispose(): void {
    this.ending = true;
    this.options.timers.wheel.cancel(this);
    this.batcher?.discard();
    this.drains.clear();
  }
}
