import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { HubSink, HubSubscription } from '#eventsourcing';
import type { BatchedCounter } from '../metrics/batched-counter.js';
import { flatString } from '../memory/flat-string.js';
import { waitUntilWritable } from './pacing.js';
import { formatSse, sseHeadersOf, type SseMessage } from './sse.js';
import type { StreamLimits } from './stream-limits.js';
import { isCompressed, pendingBytes } from './streaming-compression.middleware.js';
import type { TimerWheel, WheelTask } from './timer-wheel.js';

/** A frame that carries its SSE bytes, encoded once for every subscriber. */
export interface SseFrame {
  readonly sse: Buffer;
}

const joined = new WeakMap<readonly SseFrame[], Buffer>();
const chunked = new WeakMap<object, Buffer>();
const CRLF = Buffer.from('\r\n');

/** The bytes of a tick's frames: the hub hands every caught-up subscriber the same array, so this runs once per tick. */
export function sseBytes(frames: readonly SseFrame[]): Buffer {
  const [only] = frames;
  if (frames.length === 1 && only) return only.sse;
  let bytes = joined.get(frames);
  if (!bytes) {
    bytes = Buffer.concat(frames.map((frame) => frame.sse));
    joined.set(frames, bytes);
  }
  return bytes;
}

/**
 * The same bytes framed as one HTTP/1.1 chunk, made once per tick (or per frame) for every
 * uncompressed response: written straight to the socket, they skip the response's own
 * per-write framing, corking and buffer bookkeeping.
 */
export function sseChunk(frames: readonly SseFrame[]): Buffer {
  const [only] = frames;
  const key: object = frames.length === 1 && only ? only : frames;
  let bytes = chunked.get(key);
  if (!bytes) {
    const body = sseBytes(frames);
    bytes = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, CRLF]);
    chunked.set(key, bytes);
  }
  return bytes;
}

export interface SseSinkOptions {
  readonly retryMs: number;
  readonly keepaliveSeconds: number;
  /** SSE_BUFFER_SIZE: past this many bytes waiting for the client, it leaves the hub until drained. */
  readonly bufferSize: number;
  readonly limits: StreamLimits | false;
  readonly wheel: TimerWheel;
  readonly sent: BatchedCounter<string>;
  /** The in-stream error event for a stream that broke. */
  readonly errorMessage: (error: unknown) => SseMessage;
  /** Called once when the response closes, for whatever reason. */
  readonly onClose: () => void;
}

const KEEPALIVE = Buffer.from(': keepalive\n\n');

/**
 * One SSE response as a hub subscriber: a write of bytes already made per tick, and a
 * slot in the process's timer wheel for its keepalive, idle and duration limits. No
 * Observable, no interval, no metrics call of its own per event.
 */
export class SseSink implements HubSink<SseFrame>, WheelTask {
  private subscription: HubSubscription | null = null;
  private readonly openedMs: number;
  private lastEventMs: number;
  private nextKeepaliveMs: number;
  private closed = false;
  /** The socket of an uncompressed chunked response, written to directly; null: through the response. */
  private readonly socket: Socket | null;

  constructor(
    private readonly res: ServerResponse,
    private readonly options: SseSinkOptions,
  ) {
    res.writeHead(200, sseHeadersOf(res));
    res.write(`retry: ${options.retryMs}\n\n`);
    res.flushHeaders?.();
    // The header block stays on the response as long as it is open: one string, not a rope of its lines.
    const header: unknown = Reflect.get(res, '_header');
    if (typeof header === 'string') flatString(header);
    this.socket = res.chunkedEncoding && !isCompressed(res) ? res.socket : null;
    this.openedMs = options.wheel.nowMs;
    this.lastEventMs = this.openedMs;
    this.nextKeepaliveMs = this.openedMs + options.keepaliveSeconds * 1000;
    // 'close' comes once; on() spares the once-wrapper each response would keep.
    res.on('close', () => this.close());
    this.reschedule();
  }

  /** The hub subscription this response owns: closing the response ends it. */
  attach(subscription: HubSubscription): void {
    if (this.closed) subscription.unsubscribe();
    else this.subscription = subscription;
  }

  write(frames: readonly SseFrame[]): boolean {
    if (this.closed) return true;
    // A socket gone before its response's 'close' arrived takes nothing more.
    if (this.socket) {
      if (!this.socket.destroyed) this.socket.write(sseChunk(frames));
    } else this.res.write(sseBytes(frames));
    this.lastEventMs = this.options.wheel.nowMs;
    this.options.sent.pending += frames.length;
    return pendingBytes(this.res) < this.options.bufferSize;
  }

  /**
   * Twice SSE_BUFFER_SIZE waits for the client: a source that does not wait for drain (the
   * list's changes) outran it, and the stream is to end, for the client to resume.
   */
  outran(): boolean {
    return pendingBytes(this.res) >= 2 * this.options.bufferSize;
  }

  writable(): Promise<void> {
    return waitUntilWritable(this.res, this.options.bufferSize);
  }

  end(): void {
    if (this.res.writableEnded) return;
    this.res.end();
  }

  error(error: unknown): void {
    if (this.res.writableEnded) return;
    this.res.write(formatSse(this.options.errorMessage(error)));
    this.res.end();
  }

  fire(nowMs: number): void {
    if (this.closed) return;
    const { limits } = this.options;
    if (limits !== false) {
      const overIdle = limits.idleSeconds > 0 && nowMs - this.lastEventMs >= limits.idleSeconds * 1000;
      const overAge = limits.maxSeconds > 0 && nowMs - this.openedMs >= limits.maxSeconds * 1000;
      if (overIdle || overAge) return this.end();
    }
    if (nowMs >= this.nextKeepaliveMs) {
      this.res.write(KEEPALIVE);
      this.nextKeepaliveMs = nowMs + this.options.keepaliveSeconds * 1000;
    }
    this.reschedule();
  }

  private reschedule(): void {
    const { limits, wheel } = this.options;
    let due = this.nextKeepaliveMs;
    if (limits !== false && limits.idleSeconds > 0) due = Math.min(due, this.lastEventMs + limits.idleSeconds * 1000);
    if (limits !== false && limits.maxSeconds > 0) due = Math.min(due, this.openedMs + limits.maxSeconds * 1000);
    wheel.schedule(this, Math.max(0, due - wheel.nowMs));
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.wheel.cancel(this);
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.options.sent.flush();
    this.options.onClose();
  }
}
