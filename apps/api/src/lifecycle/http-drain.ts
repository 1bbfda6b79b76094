import type { Server, ServerResponse } from 'node:http';
import type { Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { isHttp2Response } from '#platform';

interface Connections {
  closeIdle(): void;
  closeAll(): void;
}

/**
 * Node's HTTP/1 server closes its idle connections itself; an HTTP/2 server (HTTPS) has
 * sessions, told to finish their streams and take no more, and HTTP/1.1 sockets, cut at
 * the deadline (during a drain each of their responses says `Connection: close`).
 */
function connectionsOf(server: Server): Connections {
  if (typeof server.closeIdleConnections === 'function')
    return { closeIdle: () => server.closeIdleConnections(), closeAll: () => server.closeAllConnections() };
  const sessions = new Set<Http2Session>();
  const sockets = new Set<Socket>();
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    closeIdle: () => {
      for (const session of sessions) session.close();
    },
    closeAll: () => {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
    },
  };
}

/**
 * Tracks the responses in flight so a shutdown can stop accepting, let them finish, and
 * close each kept-alive connection as soon as it goes idle (Node's server.close() alone
 * would wait out the keep-alive timeout of every idle client).
 */
export class HttpDrain {
  private readonly open = new Set<ServerResponse>();
  private draining = false;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly connections: Connections;

  constructor(private readonly server: Server) {
    this.connections = connectionsOf(server);
    // Prepended: a handler that answers synchronously must not finish before it is tracked.
    server.prependListener('request', (_req, res: ServerResponse) => this.track(res));
  }

  /**
   * Stops accepting connections; resolves once every in-flight response has ended, or
   * after `deadlineMs` with whatever is left cut off.
   */
  async drain(deadlineMs: number): Promise<void> {
    this.draining = true;
    if (this.server.listening) this.server.close();
    this.connections.closeIdle();
    if (this.open.size === 0) return;
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.connections.closeAll();
        resolve();
      }, deadlineMs);
    });
    await Promise.race([idle, deadline]);
    clearTimeout(timer);
  }

  private track(res: ServerResponse): void {
    // Requests that still arrive on kept-alive connections are served, then the connection closes.
    if (this.draining && !isHttp2Response(res)) res.setHeader('Connection', 'close');
    this.open.add(res);
    // 'close' comes once per response; on() spares the once-wrapper a long-lived stream would
    // keep, and one listener for every response spares each its own closure.
    res.on('close', this.untrack);
  }

  private readonly untrack = untrackFrom(this);

  /** A tracked response closed (its 'close' listener calls this). */
  responseClosed(res: ServerResponse): void {
    this.open.delete(res);
    if (!this.draining) return;
    setImmediate(() => this.connections.closeIdle());
    if (this.open.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

/** The 'close' listener of every response `drain` tracks: the response is `this`. */
function untrackFrom(drain: HttpDrain): (this: ServerResponse) => void {
  return function untrack(this: ServerResponse) {
    drain.responseClosed(this);
  };
}
