import { AsyncQueue } from '../async-queue.js';
import { closeError } from '../client-errors.js';
import type { ConnectRequest, Frame, Transport } from '../resumable-stream.js';

/**
 * A handler whose event parameter is checked both ways (as a method's is), so that each
 * implementation's own, richer event type fits.
 */
type Handler<E> = { handle(event: E): void }['handle'] | null;

/** What this client needs of a WebSocket: the browser's, Node 22's global, or the `ws` package's. */
export interface WebSocketLike {
  onmessage: Handler<{ readonly data: unknown }>;
  onclose: Handler<{ readonly code: number; readonly reason: string }>;
  onerror: Handler<unknown>;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** A message as the server sends it: the event's fields plus its `id` (none on acks, pongs, errors). */
export function frameOf(text: string): Frame {
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null || !('id' in parsed)) return { id: undefined, data: parsed };
  const { id, ...data } = parsed as { id: unknown };
  return { id: String(id), data };
}

/**
 * The raw WebSocket endpoints: the token and the resume point go in the query (browsers
 * cannot set headers on a WebSocket). Messages without an id (acks,
 * pongs, errors before a close) are not events.
 */
export function webSocketTransport(WebSocket: WebSocketConstructor, url: string): Transport {
  return async function* ({ lastEventId, token, signal }: ConnectRequest): AsyncGenerator<Frame> {
    const target = new URL(url);
    if (token !== undefined) target.searchParams.set('token', token);
    if (lastEventId !== undefined) target.searchParams.set('last_event_id', lastEventId);
    const queue = new AsyncQueue<Frame>();
    const socket = new WebSocket(target.toString());
    socket.onmessage = ({ data }) => {
      try {
        // Errors come with the close code that says what they mean; acks and pongs carry no event.
        const frame = frameOf(String(data));
        if (frame.id !== undefined) queue.push(frame);
      } catch (error) {
        queue.fail(error);
      }
    };
    socket.onclose = ({ code, reason }) => (code === 1000 ? queue.end() : queue.fail(closeError(code, reason)));
    socket.onerror = () => undefined; // a close event follows, with the code that says why
    const abort = (): void => socket.close(1000, 'client closed');
    signal.addEventListener('abort', abort, { once: true });
    try {
      yield* queue;
    } finally {
      signal.removeEventListener('abort', abort);
      socket.onmessage = socket.onclose = null;
      socket.close(1000, 'client closed');
    }
  };
}
