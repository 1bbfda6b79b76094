import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';

/** The next `event` on a Socket.IO client socket, with its arguments. */
export function ioOnce(socket: Socket, event: string): Promise<unknown[]> {
  return new Promise((resolve) => socket.once(event, (...args: unknown[]) => resolve(args)));
}

export type IoMessage = Record<string, unknown> & { readonly type?: unknown };

/** A Socket.IO test client that records every event (name and payload) in arrival order. */
export interface IoTestClient {
  readonly socket: Socket;
  readonly received: Array<{ readonly event: string; readonly payload: IoMessage }>;
  waitFor(
    predicate: (event: string, payload: IoMessage) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<IoMessage>;
  /** Emits with an acknowledgement and resolves with it. */
  request(event: string, payload?: unknown): Promise<IoMessage>;
  close(): void;
}

export function openIo(url: string, options: Partial<ManagerOptions & SocketOptions> = {}): IoTestClient {
  const socket = io(url, { transports: ['websocket'], reconnection: false, ...options });
  const received: IoTestClient['received'] = [];
  const listeners = new Set<() => void>();
  socket.onAny((event: string, payload: unknown) => {
    received.push({ event, payload: (payload ?? {}) as IoMessage });
    for (const listener of [...listeners]) listener();
  });
  return {
    socket,
    received,
    waitFor: (predicate, what, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = received.find((r) => predicate(r.event, r.payload));
          if (!found) return;
          finish();
          resolve(found.payload);
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(received.slice(-5))}`));
        }, timeoutMs);
        const finish = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
    request: (event, payload) => socket.timeout(20_000).emitWithAck(event, payload) as Promise<IoMessage>,
    close: () => void socket.close(),
  };
}
