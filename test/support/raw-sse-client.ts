import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import { parseSseFrame, type SseFrame } from './sse-client.js';

/**
 * An SSE reader on node:http, which (unlike fetch) leaves Content-Encoding alone: the test
 * sees the bytes as sent, and decompresses gzip itself as they arrive.
 */
export interface RawSseSession {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Bytes received on the wire so far (compressed when gzip). */
  wireBytes(): number;
  /** Bytes after decompression so far. */
  decodedBytes(): number;
  /** The next event with data, in arrival order; rejects if the stream ends before one arrives. */
  next(): Promise<SseFrame>;
  /** Every event, once the server ends the stream. */
  readonly done: Promise<SseFrame[]>;
  close(): void;
}

export function openRawSse(url: string, headers: Record<string, string> = {}): Promise<RawSseSession> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) =>
      resolve(readSession(res, () => req.destroy())),
    );
    req.once('error', reject);
    req.end();
  });
}

function readSession(res: IncomingMessage, abort: () => void): RawSseSession {
  const frames: SseFrame[] = [];
  const waiting: Array<{ resolve: (f: SseFrame) => void; reject: (e: Error) => void }> = [];
  let handed = 0;
  let wire = 0;
  let decoded = 0;
  let buffer = '';
  let ended = false;
  const settle = (): void => {
    while (waiting.length > 0 && handed < frames.length) waiting.shift()?.resolve(frames[handed++] as SseFrame);
    if (ended) for (const w of waiting.splice(0)) w.reject(new Error(`the stream ended after ${frames.length} events`));
  };
  // Without gzip, setEncoding below makes these strings: their bytes, not their UTF-16 length.
  res.on('data', (chunk: Buffer | string) => {
    wire += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
  });
  const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
  body.setEncoding('utf8');
  body.on('data', (text: string) => {
    decoded += Buffer.byteLength(text);
    buffer += text;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const frame = parseSseFrame(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      if (frame) frames.push(frame);
    }
    settle();
  });
  const done = new Promise<SseFrame[]>((resolve) => {
    const finish = (): void => {
      ended = true;
      settle();
      resolve(frames);
    };
    body.once('end', finish);
    body.once('error', finish);
    // A cut connection never ends the gunzip stream; a complete one ends it after its last byte.
    res.once('close', () => {
      if (!res.complete) finish();
    });
  });
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    wireBytes: () => wire,
    decodedBytes: () => decoded,
    next: () =>
      new Promise<SseFrame>((resolve, reject) => {
        waiting.push({ resolve, reject });
        settle();
      }),
    done,
    close: abort,
  };
}
