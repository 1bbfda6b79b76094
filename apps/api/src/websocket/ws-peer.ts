import type { WebSocket } from 'ws';
import {
  MessageBatcher,
  newId,
  startHeartbeat,
  type Heartbeat,
  type Logger,
  type Principal,
  type WebSocketSettings,
} from '#platform';
import type { Peer, PeerKind, PeerStats } from './peer.js';
import { closeReason, WS_CLOSE, type OutboundMessage } from './ws-messages.js';

const DRAIN_POLL_MS = 20;
/** A client this far over its bound (replies to its own commands pile up too) is cut off. */
const HARD_LIMIT_FACTOR = 4;
/** A close frame queued behind a full buffer may never leave: the socket goes anyway. */
const CLOSE_GRACE_MS = 5_000;

export interface WsPeerOptions {
  readonly kind: PeerKind;
  readonly principal: Principal;
  readonly correlationId: string;
  /** The general endpoint batches; the seed's per-stream endpoints send each message alone. */
  readonly batching: boolean;
  readonly websocket: WebSocketSettings;
  readonly logger: Logger;
}

/** A raw `ws` client as a Peer: bounded send buffer, optional batching, pings and idle timeout. */
export class WsPeer implements Peer {
  readonly id = newId();
  readonly kind: PeerKind;
  readonly principal: Principal;
  readonly correlationId: string;
  private readonly batcher: MessageBatcher | null;
  private readonly heartbeat: Heartbeat;
  private readonly limit: number;
  private drainWaiters: Array<() => void> = [];
  private drainTimer: NodeJS.Timeout | null = null;
  private peak = 0;
  private pauses = 0;
  private ending = false;
  /** Takes a fresh token sent on this connection (set by whoever tracks its expiry). */
  refreshToken: ((token: string) => Promise<OutboundMessage>) | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly options: WsPeerOptions,
  ) {
    this.kind = options.kind;
    this.principal = options.principal;
    this.correlationId = options.correlationId;
    this.limit = options.websocket.bufferSize;
    this.batcher = options.batching ? new MessageBatcher((frame) => this.write(frame)) : null;
    this.heartbeat = startHeartbeat(ws, {
      pingIntervalMs: options.websocket.pingIntervalSeconds * 1000,
      idleTimeoutMs: options.websocket.timeoutSeconds * 1000,
      onDead: () => {
        options.logger.info(
          { connection: this.id, kind: this.kind },
          'websocket peer did not answer a ping; dropping it',
        );
        this.ws.terminate();
      },
      onIdle: () =>
        this.close(
          WS_CLOSE.NORMAL,
          `idle for ${options.websocket.timeoutSeconds} s; reconnect with your last event id`,
        ),
    });
    ws.once('close', () => this.dispose());
  }

  get closed(): boolean {
    return this.ending || this.ws.readyState !== this.ws.OPEN;
  }

  /** Application traffic from the client keeps the connection out of the idle timeout. */
  touch(): void {
    this.heartbeat.touch();
  }

  send(message: OutboundMessage): void {
    this.sendText(JSON.stringify(message));
  }

  /** A message already encoded (a hub frame's text, shared by every subscriber). */
  sendText(json: string): void {
    if (this.closed) return;
    this.heartbeat.touch();
    if (this.batcher) this.batcher.push(json);
    else this.write(json);
    this.checkBounds();
  }

  flush(): void {
    this.batcher?.flush();
  }

  overloaded(): boolean {
    return this.buffered() > this.limit;
  }

  whenDrained(resume: () => void): void {
    this.drainWaiters.push(resume);
    this.drainTimer ??= setInterval(() => this.checkDrained(), DRAIN_POLL_MS);
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
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  stats(): PeerStats {
    return { id: this.id, kind: this.kind, peakBufferedBytes: this.peak, pauses: this.pauses };
  }

  private buffered(): number {
    return this.ws.bufferedAmount + (this.batcher?.pendingBytes ?? 0);
  }

  private write(frame: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame);
  }

  private checkBounds(): void {
    const buffered = this.buffered();
    this.peak = Math.max(this.peak, buffered);
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

  private checkDrained(): void {
    if (!this.closed && this.buffered() > 0) return;
    if (this.drainTimer) clearInterval(this.drainTimer);
    this.drainTimer = null;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    if (!this.closed) for (const resume of waiters) resume();
  }

  private dispose(): void {
    this.ending = true;
    this.heartbeat.stop();
    this.batcher?.discard();
    if (this.drainTimer) clearInterval(this.drainTimer);
    this.drainTimer = null;
    this.drainWaiters = [];
  }
}
