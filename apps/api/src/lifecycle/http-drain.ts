import type { Server, ServerResponse } from 'node:http';

/**
 * Tracks the responses in flight so a shutdown can stop accepting, let them finish, and
 * close each kept-alive connection as soon as it goes idle (Node's server.close() alone
 * would wait out the keep-alive timeout of every idle client).
 */
export class HttpDrain {
  private readonly open = new Set<ServerResponse>();
  private draining = false;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly server: Server) {
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
    this.server.closeIdleConnections();
    if (this.open.size === 0) return;
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.server.closeAllConnections();
        resolve();
      }, deadlineMs);
    });
    await Promise.race([idle, deadline]);
    clearTimeout(timer);
  }

  private track(res: ServerResponse): void {
    // Requests that still arrive on kept-alive connections are served, then the connection closes.
    if (this.draining) res.setHeader('Connection', 'close');
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
    setImmediate(() => this.server.closeIdleConnections());
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
