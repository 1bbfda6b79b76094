import { connect, type Socket } from 'node:net';

/** What a raw request's answer held by the time it ended: its text, and when `mark` first appeared in it. */
export interface RawAnswer {
  readonly text: string;
  /** -1 when the mark never came. */
  readonly markedAt: number;
}

export interface RawRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Timed: when this text first arrives (a chat's first chunk, a stream's first frame). */
  readonly mark: string;
  /** Whether the answer is over: the request resolves then. */
  readonly ended: (text: string) => boolean;
}

/** The last piece of a chunked body. */
export const LAST_CHUNK = '\r\n0\r\n\r\n';

/**
 * An HTTP/1.1 client as cheap as one can be: one kept-alive socket, each request written as
 * ready-made bytes and its answer scanned for a mark and its end, never parsed. A hundred of
 * them in one process add a few milliseconds, where `fetch` adds about 80 ms (a hundred POSTs
 * on warm connections to an idle `node:http` server reach it 81 ms after they were sent,
 * p50): what the bench times is then the API's.
 */
export class RawHttpClient {
  private constructor(
    private readonly socket: Socket,
    private readonly host: string,
  ) {}

  static async open(url: string): Promise<RawHttpClient> {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port), noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setEncoding('latin1');
    return new RawHttpClient(socket, `${hostname}:${port}`);
  }

  request(request: RawRequest, now: () => number): Promise<RawAnswer> {
    const body = request.body === undefined ? null : Buffer.from(JSON.stringify(request.body));
    const headers = Object.entries({
      Host: this.host,
      'Accept-Encoding': 'identity',
      ...(body === null ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(body.length) }),
      ...request.headers,
    });
    const head = `${request.method} ${request.path} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    return new Promise((resolve, reject) => {
      let text = '';
      let markedAt = -1;
      const onData = (piece: string): void => {
        text += piece;
        if (markedAt < 0 && text.includes(request.mark)) markedAt = now();
        if (!request.ended(text)) return;
        done();
        resolve({ text, markedAt });
      };
      const onClose = (): void => {
        done();
        reject(new Error(`the connection closed mid-answer: ${text.slice(0, 300)}`));
      };
      const done = (): void => {
        this.socket.off('data', onData);
        this.socket.off('close', onClose);
      };
      this.socket.on('data', onData);
      this.socket.once('close', onClose);
      this.socket.write(body === null ? head : Buffer.concat([Buffer.from(head, 'latin1'), body]));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The status and a header of an answer's text. */
export const statusOf = (text: string): string => /^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? '?';
export const headerOf = (text: string, name: string): string =>
  new RegExp(`\\r\\n${name}: ([^\\r]+)`, 'i').exec(text)?.[1] ?? '';

/** A JSON answer with Content-Length is over once that many bytes of body are in. */
export function jsonEnded(text: string): boolean {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return false;
  const length = Number(headerOf(text.slice(0, split + 2), 'content-length'));
  return Number.isFinite(length) && text.length - (split + 4) >= length;
}

export const jsonBodyOf = <T>(text: string): T => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as T;
