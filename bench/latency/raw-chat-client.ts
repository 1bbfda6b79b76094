import { connect, type Socket } from 'node:net';

/** One chat answer as a client saw it: its session, and when its first chunk arrived. */
export interface RawAnswer {
  readonly sessionId: string;
  readonly firstChunkAt: number;
}

const FIRST_CHUNK = '"type":"chunk"';
const COMPLETE = '"type":"complete"';
/** The last piece of a chunked body. */
const LAST_CHUNK = '\r\n0\r\n\r\n';

/**
 * A chat client as cheap as one can be: one kept-alive socket, each request written as
 * ready-made HTTP/1.1 bytes and its answer scanned for the first chunk and the end, never
 * parsed. A hundred of them in one process add a few milliseconds, where `fetch` adds
 * about 80 ms (a hundred POSTs on warm connections to an idle `node:http` server reach it
 * 81 ms after they were sent, p50): what the bench times is then the API's.
 */
export class RawChatClient {
  private constructor(
    private readonly socket: Socket,
    private readonly host: string,
  ) {}

  static async open(url: string): Promise<RawChatClient> {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port), noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setEncoding('latin1');
    return new RawChatClient(socket, `${hostname}:${port}`);
  }

  /** POSTs `message` to /api/v1/chat/stream and reads the answer to its end. */
  ask(message: string, correlationId: string, now: () => number): Promise<RawAnswer> {
    const body = Buffer.from(JSON.stringify({ message }));
    const head =
      `POST /api/v1/chat/stream HTTP/1.1\r\nHost: ${this.host}\r\nContent-Type: application/json\r\n` +
      `Accept-Encoding: identity\r\nX-Correlation-ID: ${correlationId}\r\nContent-Length: ${body.length}\r\n\r\n`;
    return new Promise((resolve, reject) => {
      let text = '';
      let firstChunkAt = -1;
      const onData = (piece: string): void => {
        text += piece;
        if (firstChunkAt < 0 && text.includes(FIRST_CHUNK)) firstChunkAt = now();
        if (!text.endsWith(LAST_CHUNK)) return;
        done();
        const status = /^HTTP\/1\.1 (\d+)/.exec(text)?.[1];
        if (status !== '200' || !text.includes(COMPLETE) || firstChunkAt < 0)
          return reject(new Error(`chat answered ${status ?? '?'}: ${text.slice(0, 300)}`));
        resolve({ sessionId: /\r\nx-session-id: ([^\r]+)/i.exec(text)?.[1] ?? '', firstChunkAt });
      };
      const onEnd = (): void => {
        done();
        reject(new Error(`the connection closed mid-answer: ${text.slice(0, 300)}`));
      };
      const done = (): void => {
        this.socket.off('data', onData);
        this.socket.off('close', onEnd);
      };
      this.socket.on('data', onData);
      this.socket.once('close', onEnd);
      this.socket.write(head);
      this.socket.write(body);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
