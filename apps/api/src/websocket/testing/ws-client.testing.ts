import { once } from 'node:events';
import { WebSocket, type ClientOptions } from 'ws';

export type WsMessage = Record<string, unknown> & { readonly type?: unknown };

export interface WsClose {
  readonly code: number;
  readonly reason: string;
}

/**
 * A test client over a real socket, as the seed's clients use it: JSON text frames.
 * Batches (`{"type":"batch","messages":[…]}`) are unpacked into `messages`, in order.
 */
export interface WsTestClient {
  readonly ws: WebSocket;
  readonly messages: WsMessage[];
  /** Frames received (a batch is one frame). */
  frames(): number;
  send(message: unknown): void;
  /** The first message from index `from` on that matches, waiting for it if need be. */
  waitFor(
    predicate: (message: WsMessage) => boolean,
    what: string,
    from?: number,
    timeoutMs?: number,
  ): Promise<WsMessage>;
  readonly closed: Promise<WsClose>;
  close(): Promise<WsClose>;
  /** Drops the TCP connection without a closing handshake (a forced disconnect). */
  terminate(): Promise<WsClose>;
}

export function openWs(url: string, options: ClientOptions = {}): WsTestClient {
  const ws = new WebSocket(url, options);
  const messages: WsMessage[] = [];
  const listeners = new Set<() => void>();
  let frames = 0;
  let ended = false;
  ws.on('message', (data) => {
    frames++;
    const parsed = JSON.parse(data.toString()) as WsMessage;
    if (parsed.type === 'batch' && Array.isArray(parsed.messages)) messages.push(...(parsed.messages as WsMessage[]));
    else messages.push(parsed);
    for (const listener of [...listeners]) listener();
  });
  ws.on('error', () => undefined);
  // Not events.once: it would reject on the 'error' that precedes the close of an aborted handshake.
  const closed = new Promise<WsClose>((resolve) =>
    ws.once('close', (code: number, reason: Buffer) => {
      ended = true;
      for (const listener of [...listeners]) listener();
      resolve({ code, reason: reason.toString() });
    }),
  );
  return {
    ws,
    messages,
    frames: () => frames,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    waitFor: (predicate, what, from = 0, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = messages.slice(from).find(predicate);
          if (found) return finish(() => resolve(found));
          if (ended)
            finish(() =>
              reject(new Error(`the socket closed before ${what}; got ${JSON.stringify(messages.slice(-5))}`)),
            );
        };
        const timer = setTimeout(
          () =>
            finish(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages.slice(-5))}`))),
          timeoutMs,
        );
        const finish = (settle: () => void): void => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      }),
    closed,
    close: () => {
      if (ws.readyState === ws.CONNECTING || ws.readyState === ws.OPEN) ws.close();
      return closed;
    },
    terminate: () => {
      ws.terminate();
      return closed;
    },
  };
}

/** Resolves once the handshake completed; rejects (and cleans up) when the upgrade was refused. */
export async function connectWs(url: string, options: ClientOptions = {}): Promise<WsTestClient> {
  const client = openWs(url, options);
  const refused = once(client.ws, 'unexpected-response').then(([, res]) => {
    client.ws.terminate();
    throw new Error(`upgrade refused: ${(res as { statusCode?: number }).statusCode}`);
  });
  await Promise.race([once(client.ws, 'open'), refused]);
  return client;
}

/** The HTTP status and body of an upgrade the server refused. */
export function refusedUpgrade(url: string, options: ClientOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('error', reject);
    ws.once('open', () => {
      ws.terminate();
      reject(new Error(`${url} was accepted`));
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        ws.terminate();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
  });
}

export const wsUrl = (httpUrl: string, path: string): string => `${httpUrl.replace(/^http/, 'ws')}${path}`;
