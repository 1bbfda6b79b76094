import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { constants, createGzip, type Gzip } from 'node:zlib';
import { acceptsGzip } from './accept-encoding.js';
import { AdaptiveGzip } from './adaptive-gzip.js';

/** The seed's StreamingCompressionMiddleware options (minimum_size, compression_level, chunk_size). */
export interface StreamingCompressionOptions {
  /** Ordinary bodies smaller than this many bytes go out uncompressed. */
  readonly minimumSize: number;
  /** gzip level 1-9 (STREAMING_COMPRESSION_LEVEL). */
  readonly compressionLevel: number;
  /** zlib output buffer size in bytes (STREAMING_CHUNK_SIZE). */
  readonly chunkSize: number;
  /**
   * Event streams gzip per connection only while it pays (AdaptiveGzip); false: every frame
   * is compressed (STREAMING_COMPRESSION_ADAPTIVE). Default: true.
   */
  readonly adaptive?: boolean;
  /** Adaptive event streams whose frames average fewer bytes stay verbatim (STREAMING_COMPRESSION_MIN_FRAME; default 64). */
  readonly minFrameBytes?: number;
}

type Callback = (error?: Error | null) => void;
type Chunk = string | Uint8Array;
type HeadersArgument = OutgoingHttpHeaders | OutgoingHttpHeader[];

const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml)\b|application\/[\w.-]+\+(json|xml)\b)/i;
const EVENT_STREAM = /^text\/event-stream\b/i;
/**
 * Event streams: every write is compressed and sync-flushed in one zlib call, so each event
 * decodes on arrival without a second trip through the thread pool. An 8 KiB window and
 * memLevel 6 take 64 KiB per open stream instead of zlib's 256 KiB, at the same ratio on
 * investigation streams (bench/compression): what thousands of subscribers cost.
 */
const EVENT_STREAM_ZLIB = { flush: constants.Z_SYNC_FLUSH, windowBits: 13, memLevel: 6 } as const;

/** What each compressed response's gzip holds, so its queues count toward the client's buffer. */
const compressors = new WeakMap<ServerResponse, () => number>();

/**
 * Bytes written to `res` that its client has not taken yet: the socket's queue plus, when
 * the response is gzipped, what zlib holds before and after compression.
 */
export function pendingBytes(res: ServerResponse): number {
  return res.writableLength + (compressors.get(res)?.() ?? 0);
}

/** True when the response's body goes through gzip: its bytes are not the ones written. */
export function isCompressed(res: ServerResponse): boolean {
  return compressors.has(res);
}

/**
 * gzip for every response whose client accepts it, without ever holding a stream back:
 * an SSE response is compressed write by write, each followed by a sync flush, so every
 * event can be decompressed the moment it arrives. `res.flush()` is provided for writers
 * (writeSse) that flush after each event.
 */
export class StreamingCompressionMiddleware {
  constructor(private readonly options: StreamingCompressionOptions) {}

  readonly use = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    // A HEAD answer has no body to compress, and its headers must match GET's without one.
    if (req.method !== 'HEAD') interceptResponse(res, acceptsGzip(req.headers['accept-encoding']), this.options);
    next();
  };
}

function interceptResponse(
  res: ServerResponse,
  clientAcceptsGzip: boolean,
  options: StreamingCompressionOptions,
): void {
  const original = { writeHead: res.writeHead.bind(res), write: res.write.bind(res), end: res.end.bind(res) };
  let decided = false;
  let gzip: Gzip | null = null;
  let adaptive: AdaptiveGzip | null = null;

  const decide = (bodyLength?: number): void => {
    if (decided) return;
    decided = true;
    if (!negotiate(res, clientAcceptsGzip, options.minimumSize, bodyLength)) return unwrap();
    if ((options.adaptive ?? true) && isEventStream(res)) adaptive = startAdaptive(res, options, original);
    else gzip = startGzip(res, options, original);
  };
  // Nothing to compress: the prototype's methods again, so a long-lived response (an
  // uncompressed event stream) does not keep these closures. Assigned, not deleted: deleting
  // would turn the response into a dictionary-mode object. A wrapper installed later stays.
  const unwrap = (): void => {
    const prototype = Object.getPrototypeOf(res) as ServerResponse;
    if (res.writeHead === writeHead) res.writeHead = prototype.writeHead;
    if (res.write === write) res.write = prototype.write;
    if (res.end === end) res.end = prototype.end;
  };

  const writeHead = (statusCode: number, ...rest: Array<string | HeadersArgument | undefined>) => {
    const reason = rest.find((a): a is string => typeof a === 'string');
    res.statusCode = statusCode;
    // Headers passed here bypass getHeader(); moved onto the response so negotiation sees them.
    for (const headers of rest) if (typeof headers === 'object') applyHeaders(res, headers);
    decide();
    return reason === undefined ? original.writeHead(statusCode) : original.writeHead(statusCode, reason);
  };

  const write = (chunk: Chunk, encodingOrCallback?: BufferEncoding | Callback, callback?: Callback): boolean => {
    const { encoding, cb } = callbackArgs(encodingOrCallback, callback);
    decide();
    if (adaptive) {
      adaptive.write(bufferOf(chunk, encoding));
      if (cb) process.nextTick(cb);
      return !res.writableNeedDrain;
    }
    if (!gzip) return encoding === undefined ? original.write(chunk, cb) : original.write(chunk, encoding, cb);
    const accepted = gzip.write(chunk, encoding ?? 'utf8', cb);
    // Backpressure from both ends: zlib's input queue (compression slower than the writer)
    // and the socket the compressed bytes go to. Either way the writer waits for 'drain'.
    return accepted && !res.writableNeedDrain;
  };

  const end = (
    chunkOrCallback?: Chunk | Callback,
    encodingOrCallback?: BufferEncoding | Callback,
    callback?: Callback,
  ): ServerResponse => {
    const chunk = typeof chunkOrCallback === 'function' ? undefined : chunkOrCallback;
    const { encoding, cb } = callbackArgs(
      typeof chunkOrCallback === 'function' ? chunkOrCallback : encodingOrCallback,
      callback,
    );
    decide(chunk === undefined ? 0 : Buffer.byteLength(chunk, encoding ?? 'utf8'));
    if (adaptive) {
      if (cb) res.once('finish', () => cb());
      if (chunk !== undefined) adaptive.write(bufferOf(chunk, encoding));
      adaptive.end();
      return res;
    }
    if (!gzip) return chunk === undefined ? original.end(cb) : original.end(chunk, encoding ?? 'utf8', cb);
    if (cb) res.once('finish', () => cb());
    if (chunk === undefined) gzip.end();
    else gzip.end(chunk, encoding ?? 'utf8');
    return res;
  };

  Object.assign(res, { writeHead, write, end });
}

/** Sets Vary and, when gzip applies, Content-Encoding; true when the body must be gzipped. */
function negotiate(
  res: ServerResponse,
  clientAcceptsGzip: boolean,
  minimumSize: number,
  bodyLength: number | undefined,
): boolean {
  const status = res.statusCode;
  if (status < 200 || status === 204 || status === 304 || res.getHeader('Content-Encoding') !== undefined) return false;
  if (!COMPRESSIBLE.test(String(res.getHeader('Content-Type') ?? ''))) return false;
  appendVary(res, 'Accept-Encoding');
  if (!clientAcceptsGzip || /\bno-transform\b/i.test(String(res.getHeader('Cache-Control') ?? ''))) return false;
  if (!isEventStream(res)) {
    const declared = res.getHeader('Content-Length');
    const length = declared === undefined ? bodyLength : Number(declared);
    if (length !== undefined && length < minimumSize) return false;
  }
  res.setHeader('Content-Encoding', 'gzip');
  res.removeHeader('Content-Length');
  return true;
}

function startGzip(
  res: ServerResponse,
  options: StreamingCompressionOptions,
  original: Pick<ServerResponse, 'write' | 'end'>,
): Gzip {
  const eventStream = isEventStream(res);
  const gzip = createGzip({
    level: options.compressionLevel,
    chunkSize: options.chunkSize,
    ...(eventStream ? EVENT_STREAM_ZLIB : {}),
  });
  compressors.set(res, () => gzip.writableLength + gzip.readableLength);
  gzip.on('data', (compressed: Buffer) => {
    if (original.write(compressed)) return;
    // A slow client: stop taking compressed output until the socket drains, so zlib's
    // queues fill and gzip.write() starts answering false to the writer.
    gzip.pause();
    res.once('drain', () => gzip.resume());
  });
  // The writer waits for the response's 'drain'; zlib's queue emptying is one.
  gzip.on('drain', () => {
    if (!res.writableNeedDrain) res.emit('drain');
  });
  gzip.on('end', () => original.end());
  gzip.on('error', (error) => res.destroy(error));
  // Writers that check before writing (whenWritable) see zlib's queue as well as the socket's.
  countQueueAsUnwritable(res, () => gzip.writableNeedDrain);
  // A client that went away leaves nothing to compress for. A piped response (the audit
  // export) already has ten 'close' observers, pipeline's and the request's own: one more is
  // no leak, so the warning threshold moves rather than warning on every such export.
  res.setMaxListeners(Math.max(res.getMaxListeners(), 20));
  res.once('close', () => gzip.destroy());
  // Writers flush after each event (writeSse); an event stream has nothing left to flush by then.
  Object.assign(res, { flush: eventStream ? () => undefined : () => gzip.flush(constants.Z_SYNC_FLUSH) });
  return gzip;
}

/** An event stream's gzip that compresses only while it pays; its queue counts toward the client's buffer. */
function startAdaptive(
  res: ServerResponse,
  options: StreamingCompressionOptions,
  original: Pick<ServerResponse, 'write' | 'end'>,
): AdaptiveGzip {
  const adaptive = new AdaptiveGzip(
    {
      write: (bytes) => void original.write(bytes),
      end: () => void original.end(),
      fail: (error) => res.destroy(error),
      backlog: () => res.writableLength,
      cork: () => res.cork(),
      uncork: () => res.uncork(),
      // A writer paced by pendingBytes() waits for 'drain': the compressor emptying is one,
      // as zlib's is for plain gzip; else it would wait for its 250 ms re-check.
      drained: () => {
        if (res.listenerCount('drain') > 0 && !res.writableNeedDrain) res.emit('drain');
      },
    },
    { level: options.compressionLevel, chunkSize: options.chunkSize, minFrameBytes: options.minFrameBytes ?? 64 },
  );
  compressors.set(res, () => adaptive.pending);
  countQueueAsUnwritable(res, () => adaptive.pending >= res.writableHighWaterMark);
  res.once('close', () => adaptive.destroy());
  Object.assign(res, { flush: () => undefined });
  return adaptive;
}

/** `res.writableNeedDrain` also while the compressor's own queue is full. */
function countQueueAsUnwritable(res: ServerResponse, queueFull: () => boolean): void {
  const socketNeedsDrain = (): boolean =>
    Reflect.get(Object.getPrototypeOf(res) as object, 'writableNeedDrain', res) as boolean;
  Object.defineProperty(res, 'writableNeedDrain', { configurable: true, get: () => queueFull() || socketNeedsDrain() });
}

/** A chunk as a Buffer, without copying one that is already bytes: a hub frame stays the shared one. */
function bufferOf(chunk: Chunk, encoding: BufferEncoding | undefined): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, encoding ?? 'utf8');
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function applyHeaders(res: ServerResponse, headers: HeadersArgument): void {
  if (!Array.isArray(headers)) {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
    return;
  }
  // Raw form: [name, value, name, value, …].
  for (let i = 0; i + 1 < headers.length; i += 2) res.setHeader(String(headers[i]), headers[i + 1] ?? '');
}

function isEventStream(res: ServerResponse): boolean {
  return EVENT_STREAM.test(String(res.getHeader('Content-Type') ?? ''));
}

function appendVary(res: ServerResponse, field: string): void {
  const current = String(res.getHeader('Vary') ?? '');
  if (current === '*') return;
  const fields = current
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (fields.some((f) => f.toLowerCase() === field.toLowerCase())) return;
  res.setHeader('Vary', [...fields, field].join(', '));
}

function callbackArgs(
  encodingOrCallback: BufferEncoding | Callback | undefined,
  callback: Callback | undefined,
): { encoding?: BufferEncoding; cb?: Callback } {
  if (typeof encodingOrCallback === 'function') return { cb: encodingOrCallback };
  return {
    ...(encodingOrCallback === undefined ? {} : { encoding: encodingOrCallback }),
    ...(callback === undefined ? {} : { cb: callback }),
  };
}
