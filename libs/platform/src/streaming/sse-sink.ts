import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { HubSink, HubSubscription } from '#eventsourcing';
import type { BatchedCounter } from '../metrics/batched-counter.js';
import { releaseSentHeaders } from '../memory/sent-headers.js';
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

/** What every response of one kind of stream shares: one object for all of them, not one each. */
export interface SseSinkPolicy<Context> {
  readonly keepaliveSeconds: number;
  /** SSE_BUFFER_SIZE: past this many bytes waiting for the client, it leaves the hub until drained. */
  readonly bufferSize: number;
  readonly limits: StreamLimits | false;
  readonly wheel: TimerWheel;
  readonly sent: BatchedCounter<string>;
  /** The in-stream error event for a stream that broke. */
  errorMessage(error: unknown, context: Context): SseMessage;
  /** Called once when the response closes, for whatever reason. */
  onClose(context: Context): void;
}

const KEEPALIVE = Buffer.from(': keepalive\n\n');
const SINK = Symbol('sseSink');

/**
 * Whether an SseSink streams on `res`. Its headers are let go once sent (releaseSentHeaders),
 * so its Content-Type can no longer be read from the response.
 */
export function isSseSinkResponse(res: ServerResponse): boolean {
  return Reflect.get(res, SINK) !== undefined;
}

/** The one 'close' listener of every SSE response: a function shared by all, not a closure each. */
function closeSink(this: ServerResponse): void {
  (Reflect.get(this, SINK) as SseSink<unknown> | undefined)?.close();
}

/**
 * One SSE response as a hub subscriber: a write of bytes already made per tick, and a
 * slot in the process's timer wheel for its keepalive, idle and duration limits. No
 * Observable, no interval, no metrics call of its own per event. What it keeps per
 * connection is near the least an open stream needs (thousands stay open for hours): the
 * response, its socket, the caller's context, the hub subscription and three times, kept
 * in milliseconds from the wheel's origin so that they stay small integers.
 */
export class SseSink<Context> implements HubSink<SseFrame>, WheelTask {
  private subscription: HubSubscription | null = null;
  private readonly openedMs: number;
  private lastEventMs: number;
  private nextKeepaliveMs: number;
  private closed = false;
  /** The wheel's (WheelTask), declared so that it is kept in the object itself. */
  wheelSlot: number | undefined = undefined;
  /** The socket of an uncompressed chunked response, written to directly; null: through the response. */
  private readonly socket: Socket | null;

  constructor(
    private readonly res: ServerResponse,
    private readonly policy: SseSinkPolicy<Context>,
    private readonly context: Context,
    retryMs: number,
  ) {
    res.writeHead(200, sseHeadersOf(res));
    res.write(`retry: ${retryMs}\n\n`);
    res.flushHeaders?.();
    // Sent (flushHeaders), the headers are not kept for as long as the stream is open.
    releaseSentHeaders(res);
    this.socket = res.chunkedEncoding && !isCompressed(res) ? res.socket : null;
    this.openedMs = this.now();
    this.lastEventMs = this.openedMs;
    this.nextKeepaliveMs = this.openedMs + policy.keepaliveSeconds * 1000;
    Reflect.set(res, SINK, this);
    // 'close' comes once; on() spares the once-wrapper each response would keep.
    res.on('close', closeSink);
    this.reschedule();
  }

  /** The hub subscription this response owns: closing the response ends it. */
  attach(subscription: HubSubscription): void {
    if (this.closed) subscription.unsubscribe();
    else this.subscription = subscription;
  }

  write(frames: readonly SseFrame[]): boolean {
    // An ended response takes nothing more: bytes past its last chunk would only wait in memory.
    if (this.closed || this.res.writableEnded) return true;
    // A socket gone before its response's 'close' arrived takes nothing more.
    if (this.socket) {
      if (!this.socket.destroyed) this.socket.write(sseChunk(frames));
    } else this.res.write(sseBytes(frames));
    this.lastEventMs = this.now();
    this.policy.sent.pending += frames.length;
    return pendingBytes(this.res) < this.policy.bufferSize;
  }

  writable(): Promise<void> {
    return waitUntilWritable(this.res, this.policy.bufferSize);
  }

  end(): void {
    if (this.res.writableEnded) return;
    this.res.end();
  }

  error(error: unknown): void {
    if (this.res.writableEnded) return;
    this.res.write(formatSse(this.policy.errorMessage(error, this.context)));
    this.res.end();
  }

  fire(): void {
    // Ended (a limit, the last event) but not yet closed: a client slow to read still holds it.
    if (this.closed || this.res.writableEnded) return;
    const { limits, keepaliveSeconds } = this.policy;
    const nowMs = this.now();
    if (limits !== false) {
      const overIdle = limits.idleSeconds > 0 && nowMs - this.lastEventMs >= limits.idleSeconds * 1000;
      const overAge = limits.maxSeconds > 0 && nowMs - this.openedMs >= limits.maxSeconds * 1000;
      if (overIdle || overAge) return this.end();
    }
    if (nowMs >= this.nextKeepaliveMs) {
      this.res.write(KEEPALIVE);
      this.nextKeepaliveMs = nowMs + keepaliveSeconds * 1000;
    }
    this.reschedule();
  }

  /** Called by the response's 'close'. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.policy.wheel.cancel(this);
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.policy.sent.flush();
    this.policy.onClose(this.context);
  }

  private now(): number {
    return this.policy.wheel.elapsedMs;
  }

  private reschedule(): void {
    const { limits, wheel } = this.policy;
    let due = this.nextKeepaliveMs;
    if (limits !== false && limits.idleSeconds > 0) due = Math.min(due, this.lastEventMs + limits.idleSeconds * 1000);
    if (limits !== false && limits.maxSeconds > 0) due = Math.min(due, this.openedMs + limits.maxSeconds * 1000);
    wheel.schedule(this, Math.max(0, due - this.now()));
  }
}
