import { constants, crc32, createDeflateRaw, type DeflateRaw } from 'node:zlib';
import { CompressionPolicy, type WireMode } from './compression-policy.js';

/** What the body goes to: the response's own write and end, before any wrapping. */
export interface GzipOutput {
  write(bytes: Buffer): void;
  end(): void;
  /** zlib failed: the response cannot be completed. */
  fail(error: Error): void;
  /** Bytes waiting in the socket's buffer. */
  backlog(): number;
  /** Batches the next writes into one (HTTP/1.1: one chunk); `uncork` sends them. */
  cork(): void;
  uncork(): void;
  /** Everything taken so far is handed to the socket: a writer waiting on the compressor may go on. */
  drained(): void;
}

export interface AdaptiveGzipOptions {
  readonly level: number;
  readonly chunkSize: number;
  readonly minFrameBytes: number;
  /** The clock, in ms; performance.now() unless a test passes its own. */
  readonly now?: () => number;
}

type Item = { readonly kind: WireMode; readonly bytes: Buffer } | { readonly kind: 'reset' } | { readonly kind: 'end' };

/** gzip member header (RFC 1952): deflate, no flags, no time, unknown OS. */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** An empty stored block with BFINAL set: ends the deflate data whatever came before it. */
const FINAL_BLOCK = Buffer.from([1, 0, 0, 0xff, 0xff]);
const STORED_MAX = 0xffff;
/** 8 KiB window and memLevel 6: 64 KiB per open stream instead of zlib's 256 KiB, at the same ratio on these events. */
const ZLIB = { flush: constants.Z_SYNC_FLUSH, windowBits: 13, memLevel: 6 } as const;

/**
 * One event stream's gzip body, written frame by frame as either deflate output or stored
 * blocks (RFC 1951 §3.2.4: the bytes verbatim behind a 5-byte header), as the connection's
 * CompressionPolicy says. One gzip member throughout: Content-Encoding is decided once, at
 * the response's start, and every gzip client decodes both kinds of block. The member's
 * header and trailer (CRC-32, length) are written here, the deflate blocks by a raw deflate
 * stream that is only created once a frame is worth compressing. Every deflate write ends
 * in a sync flush, so its output is whole and byte-aligned; when stored blocks follow, the
 * deflater is dropped, and a later compressed frame starts a new one with no history: no
 * deflate output ever refers back past bytes its deflater did not see, and a stream that
 * went verbatim (idle, or a fast client) holds no zlib state. A stored frame costs no zlib
 * call at all, and its bytes are the shared frame's own.
 */
export class AdaptiveGzip {
  readonly policy: CompressionPolicy;
  private deflate: DeflateRaw | null = null;
  private readonly queue: Item[] = [];
  private queuedBytes = 0;
  private busy = false;
  private started = false;
  private ended = false;
  private crc = 0;
  private size = 0;
  private lastMode: WireMode = 'store';
  /** Deflate output so far, to tell each call's share. */
  private deflated = 0;
  private readonly now: () => number;

  constructor(
    private readonly output: GzipOutput,
    private readonly options: AdaptiveGzipOptions,
  ) {
    this.policy = new CompressionPolicy({ minFrameBytes: options.minFrameBytes });
    this.now = options.now ?? (() => performance.now());
  }

  /** Bytes taken but not yet handed to the socket. */
  get pending(): number {
    return this.queuedBytes + (this.deflate?.writableLength ?? 0);
  }

  write(bytes: Buffer): void {
    if (this.ended || bytes.length === 0) return;
    this.crc = crc32(bytes, this.crc);
    this.size = (this.size + bytes.length) >>> 0;
    const mode = this.policy.next(bytes.length, this.now(), this.output.backlog());
    if (mode === 'store' && this.lastMode === 'compress') this.queue.push({ kind: 'reset' });
    this.lastMode = mode;
    this.queue.push({ kind: mode, bytes });
    this.queuedBytes += bytes.length;
    this.pump();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.push({ kind: 'end' });
    this.pump();
  }

  /** The client went away: nothing more is compressed for it. */
  destroy(): void {
    this.ended = true;
    this.queue.length = 0;
    this.deflate?.destroy();
  }

  private pump(): void {
    while (!this.busy) {
      const item = this.queue.shift();
      if (!item) return;
      if (item.kind === 'end') return this.finish();
      if (item.kind === 'reset') this.dropDeflater();
      else {
        this.queuedBytes -= item.bytes.length;
        if (item.kind === 'store') this.store(item.bytes);
        else this.compress(item.bytes);
      }
    }
  }

  private store(bytes: Buffer): void {
    const pieces: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += STORED_MAX) {
      const part = bytes.subarray(at, at + STORED_MAX);
      const head = Buffer.allocUnsafe(5);
      head[0] = 0;
      head.writeUInt16LE(part.length, 1);
      head.writeUInt16LE(~part.length & 0xffff, 3);
      pieces.push(head, part);
    }
    this.emitAll(pieces);
  }

  private compress(bytes: Buffer): void {
    const deflate = this.deflater();
    const startedNs = process.hrtime.bigint();
    const before = this.deflated;
    this.busy = true;
    deflate.write(bytes, () => {
      this.policy.compressed(bytes.length, this.deflated - before, Number(process.hrtime.bigint() - startedNs));
      this.resume();
    });
  }

  private dropDeflater(): void {
    this.deflate?.destroy();
    this.deflate = null;
  }

  private resume(): void {
    this.busy = false;
    if (!this.ended || this.queue.length > 0) this.pump();
    if (!this.busy && this.queuedBytes === 0 && !this.ended) this.output.drained();
  }

  private finish(): void {
    const trailer = Buffer.allocUnsafe(8);
    trailer.writeUInt32LE(this.crc >>> 0, 0);
    trailer.writeUInt32LE(this.size, 4);
    this.emitAll([FINAL_BLOCK, trailer]);
    this.deflate?.destroy();
    this.output.end();
  }

  private deflater(): DeflateRaw {
    if (!this.deflate) {
      this.deflate = createDeflateRaw({ level: this.options.level, chunkSize: this.options.chunkSize, ...ZLIB });
      this.deflate.on('data', (chunk: Buffer) => {
        this.deflated += chunk.length;
        this.emit(chunk);
      });
      this.deflate.on('error', (error) => this.output.fail(error));
    }
    return this.deflate;
  }

  /**
   * Pieces that belong together, as one chunk: corked once the response is under way; the
   * first ones joined, since a response corked before its head was sent flushes its first
   * write alone.
   */
  private emitAll(pieces: Buffer[]): void {
    if (!this.started) return this.emit(Buffer.concat(pieces));
    this.output.cork();
    for (const piece of pieces) this.emit(piece);
    this.output.uncork();
  }

  /** The member's header goes out with its first bytes, so the first chunk a client sees decodes. */
  private emit(bytes: Buffer): void {
    const out = this.started ? bytes : Buffer.concat([HEADER, bytes]);
    this.started = true;
    this.policy.sent(out.length);
    this.output.write(out);
  }
}
