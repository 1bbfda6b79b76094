import { AsyncQueue } from '../async-queue.js';
import { apiErrorFrom, closeError, StreamDropped } from '../client-errors.js';
import type { ConnectRequest, Frame, Transport } from '../resumable-stream.js';
import { frameOf } from './websocket.js';

/** What this client needs of a socket.io-client socket. */
export interface SocketIoSocket {
  on(event: string, listener: (...args: never[]) => void): unknown;
  onAny(listener: (event: string, ...args: unknown[]) => void): unknown;
  disconnect(): unknown;
}

/** socket.io-client's `io` (an optional peer dependency: pass it in). */
export type SocketIoConnect = (
  url: string,
  options: {
    readonly auth: Record<string, string>;
    readonly reconnection: false;
    readonly transports: string[];
    readonly forceNew: true;
  },
) => SocketIoSocket;

interface ConnectErrorData {
  readonly close_code?: number;
  readonly error_code?: string;
  readonly message?: string;
  readonly retry_after?: number;
}

/**
 * A Socket.IO namespace (`/investigations`, `/chat`): the token, the stream and the resume
 * point go in `auth`; each event arrives under its type with its `id`. Socket.IO's own
 * reconnection is off: the stream's loop reconnects, with the last id received.
 */
export function socketIoTransport(io: SocketIoConnect, url: string, auth: Record<string, string>): Transport {
  return async function* ({ lastEventId, token, signal }: ConnectRequest): AsyncGenerator<Frame> {
    const queue = new AsyncQueue<Frame>();
    const socket = io(url, {
      auth: {
        ...auth,
        ...(token === undefined ? {} : { token }),
        ...(lastEventId === undefined ? {} : { lastEventId }),
      },
      reconnection: false,
      transports: ['websocket'],
      forceNew: true,
    });
    let closeCode: { code: number; reason: string } | null = null;
    socket.onAny((_event, payload) => {
      if (typeof payload !== 'object' || payload === null || !('id' in payload)) return;
      queue.push(frameOf(JSON.stringify(payload)));
    });
    socket.on('disconnect_reason', (info: { code: number; reason: string }) => (closeCode = info));
    socket.on('connect_error', (error: Error & { data?: ConnectErrorData }) => {
      const data = error.data;
      const code = data?.close_code;
      if (code === undefined) return queue.fail(new StreamDropped(error.message));
      // 1008: credentials refused; 4000 + an HTTP status: another refusal; else busy or failing.
      if (code === 1008 || (code >= 4000 && code < 5000))
        return queue.fail(apiErrorFrom(code === 1008 ? 401 : code - 4000, data ?? {}, error.message));
      queue.fail(new StreamDropped(error.message, data?.retry_after === undefined ? null : data.retry_after * 1000));
    });
    socket.on('disconnect', (reason: string) => {
      const close = closeCode;
      if (close === null) return queue.fail(new StreamDropped(`disconnected: ${reason}`));
      queue.fail(close.code === 1000 ? new StreamDropped(close.reason) : closeError(close.code, close.reason));
    });
    const abort = (): void => void socket.disconnect();
    signal.addEventListener('abort', abort, { once: true });
    try {
      yield* queue;
    } finally {
      signal.removeEventListener('abort', abort);
      socket.disconnect();
    }
  };
}
