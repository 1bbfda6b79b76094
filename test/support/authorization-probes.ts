import { openIo, type IoMessage } from '../../apps/api/src/websocket/testing/io-client.testing.js';
import { openWs, type WsMessage } from '../../apps/api/src/websocket/testing/ws-client.testing.js';
import { closeCodeOf, subscribeGraphql } from './graphql-client.js';

/**
 * One request or connection per probe, reduced to a short outcome the role table can name:
 * an HTTP status (`"404"`), a WebSocket close (`"close 4404"`), a Socket.IO refusal
 * (`"connect_error 1008"`), or what a served client sees first (`"history"`, `"events"`).
 */

/** The status, as soon as the headers arrive: streams that would stay open are cut there. */
export async function httpStatus(url: string, init: RequestInit = {}): Promise<string> {
  const abort = new AbortController();
  const res = await fetch(url, { ...init, signal: abort.signal });
  abort.abort();
  return String(res.status);
}

/** What a served message counts as, or null to keep waiting. */
export type Served = (message: WsMessage) => string | null;

/** Stream messages carry their revision as `id`: the first one shows the client is served. */
export const firstEvent: Served = (m) => (typeof m.id === 'number' ? 'events' : null);
export const history: Served = (m) => (m.type === 'history' ? 'history' : null);

/**
 * A raw WebSocket: `close <code>` when the server ends it (a refused token, someone else's
 * stream), else what `served` makes of the first message it recognises. `start` sends
 * messages once the socket is open (subscriptions).
 */
export function wsOutcome(
  url: string,
  served: Served,
  start: (send: (message: unknown) => void) => void = () => undefined,
): { outcome: Promise<string>; close: () => void } {
  const client = openWs(url);
  client.ws.once('open', () => start((message) => client.send(message)));
  const outcome = new Promise<string>((resolve) => {
    let index = 0;
    const check = (): void => {
      for (; index < client.messages.length; index++) {
        const found = served(client.messages[index] as WsMessage);
        if (found !== null) return resolve(found);
      }
    };
    client.ws.on('message', check);
    void client.closed.then(({ code }) => resolve(`close ${code}`));
  });
  return { outcome, close: () => void client.close() };
}

/**
 * The general endpoint with several subscriptions: per stream, `events` once one of its
 * events arrives, or the error code it failed with; `close <code>` for a refused connection.
 */
export function generalOutcome(
  url: string,
  streams: Readonly<Record<string, string>>,
): { outcome: Promise<string>; close: () => void } {
  const client = openWs(url);
  const names = Object.keys(streams);
  client.ws.once('open', () => {
    for (const [name, stream] of Object.entries(streams)) client.send({ type: 'subscribe', stream, request_id: name });
  });
  const outcome = new Promise<string>((resolve) => {
    const seen = new Map<string, string>();
    const check = (): void => {
      for (const message of client.messages) {
        const name = names.find((n) => streams[n] === message.stream);
        if (name === undefined || seen.has(name)) continue;
        if (typeof message.id === 'number') seen.set(name, 'events');
        else if (message.type === 'error') seen.set(name, String(message.error_code));
      }
      if (seen.size === names.length) resolve(names.map((n) => `${n}=${seen.get(n)}`).join(' '));
    };
    client.ws.on('message', check);
    void client.closed.then(({ code }) => resolve(`close ${code}`));
  });
  return { outcome, close: () => void client.close() };
}

/** What a served Socket.IO event counts as, or null to keep waiting. */
export type IoServed = (event: string, payload: IoMessage) => string | null;

/**
 * A Socket.IO client: `connect_error <close code>` for a refused handshake, `disconnect
 * <code>` when the server ends the connection, `error <code>` for a refused subscription,
 * else what `served` makes of an event (or `connected`, when given, once it connects).
 */
export function ioOutcome(
  url: string,
  auth: Record<string, unknown>,
  served: IoServed,
  connected?: string,
): { outcome: Promise<string>; close: () => void } {
  const client = openIo(url, { auth });
  const outcome = new Promise<string>((resolve) => {
    if (connected !== undefined) client.socket.once('connect', () => resolve(connected));
    client.socket.once('connect_error', (error: Error & { data?: { close_code?: unknown } }) =>
      resolve(`connect_error ${String(error.data?.close_code)}`),
    );
    client.socket.onAny((event: string, payload: IoMessage) => {
      if (event === 'disconnect_reason') return resolve(`disconnect ${String(payload.code)}`);
      if (event === 'error') return resolve(`error ${String(payload.error_code)}`);
      const found = served(event, payload);
      if (found !== null) resolve(found);
    });
  });
  return { outcome, close: () => client.close() };
}

/**
 * A graphql-ws subscription to an investigation's events: `events` once one arrives, `error
 * <code>` for an operation refused, `close <code>` for a connection refused.
 */
export function graphqlOutcome(
  url: string,
  token: string | undefined,
  investigationId: string,
): { outcome: Promise<string>; close: () => void } {
  let settle: (outcome: string) => void = () => undefined;
  const outcome = new Promise<string>((resolve) => (settle = resolve));
  const subscription = subscribeGraphql(
    url,
    'subscription ($id: ID!) { investigationEvents(id: $id) { id } }',
    token === undefined ? undefined : { token },
    { id: investigationId },
    (result) => settle(result.data ? 'events' : `error ${String(result.errors?.[0]?.extensions?.code)}`),
  );
  // A refusal sent as a result comes before the completion, which then changes nothing.
  void subscription.done.then((end) => settle(end === 'complete' ? 'complete' : `close ${closeCodeOf(end)}`));
  return { outcome, close: () => void subscription.dispose() };
}
