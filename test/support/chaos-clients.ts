import { setTimeout as pause } from 'node:timers/promises';
import { openIo } from '../../apps/api/src/websocket/testing/io-client.testing.js';
import { openWs, wsUrl, type WsMessage } from '../../apps/api/src/websocket/testing/ws-client.testing.js';
import { openSse, type SseFrame } from './sse-client.js';

/**
 * Clients as an integrator writes them: they reconnect with their last event id after
 * anything that ends their stream early (a refused connection, a 503, an in-stream error,
 * a killed server) and keep every event they receive, duplicates included, so a test can
 * check that each was received exactly once.
 */

/** Short, not the server's Retry-After: the test wants to see recovery as soon as it happens. */
const RETRY_MS = 150;

/** One event as the SSE stream has it: the resume id and the message. */
export interface Received {
  readonly id: number;
  readonly data: Record<string, unknown>;
}

export interface Followed {
  readonly events: Received[];
  /** Connections that ended before the end of the stream. */
  reconnects: number;
  /** Statuses and in-stream error codes met on the way (503, STORE_UNAVAILABLE…). */
  readonly setbacks: string[];
}

const TERMINAL = new Set(['complete', 'error', 'cancelled']);
const isFinal = (event: Received): boolean => TERMINAL.has(String(event.data.type));

/** The SSE shape of a WebSocket or Socket.IO message: its `id`, the rest without the extra fields. */
export function asReceived(message: WsMessage): Received {
  const { id, anomaly: _anomaly, stream: _stream, ...data } = message;
  return { id: Number(id), data };
}

/** GET /api/v1/investigations/stream/{id} with Last-Event-ID until its terminal event. */
export async function followSse(
  baseUrl: string,
  investigationId: string,
  token: string,
  signal: AbortSignal,
): Promise<Followed> {
  const followed: Followed = { events: [], reconnects: 0, setbacks: [] };
  while (!signal.aborted) {
    const last = followed.events.at(-1)?.id;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      ...(last === undefined ? {} : { 'Last-Event-ID': String(last) }),
    };
    const keep = (frame: SseFrame): void => {
      if (frame.id !== undefined) followed.events.push({ id: Number(frame.id), data: frame.data });
      else followed.setbacks.push(String(frame.data.error_code));
    };
    await readSse(
      `${baseUrl}/api/v1/investigations/stream/${investigationId}`,
      { headers },
      keep,
      followed.setbacks,
      signal,
    );
    if (followed.events.some(isFinal)) return followed;
    followed.reconnects++;
    await pause(RETRY_MS);
  }
  return followed;
}

/** One SSE connection, read to its end; a refusal or a non-200 answer is noted as a setback. */
async function readSse(
  url: string,
  init: RequestInit,
  keep: (frame: SseFrame) => void,
  setbacks: string[],
  signal: AbortSignal,
  accepted: (session: { headers: Headers }) => void = () => undefined,
): Promise<boolean> {
  try {
    const session = await openSse(url, init, keep);
    if (session.status === 200) accepted(session);
    const close = (): void => session.close();
    signal.addEventListener('abort', close, { once: true });
    try {
      if (session.status === 200) {
        await session.done.catch(() => undefined);
        return true;
      }
      setbacks.push(String(session.status));
      session.close();
      return false;
    } finally {
      signal.removeEventListener('abort', close);
    }
  } catch {
    setbacks.push('connection refused');
    return false;
  }
}

/** /api/v1/ws/investigations/{id}?last_event_id= until the server closes after the terminal event. */
export async function followWs(
  baseUrl: string,
  investigationId: string,
  token: string,
  signal: AbortSignal,
): Promise<Followed> {
  const followed: Followed = { events: [], reconnects: 0, setbacks: [] };
  while (!signal.aborted) {
    const last = followed.events.at(-1)?.id ?? 0;
    const client = openWs(
      wsUrl(baseUrl, `/api/v1/ws/investigations/${investigationId}?token=${token}&last_event_id=${last}`),
    );
    const stop = (): void => void client.terminate();
    signal.addEventListener('abort', stop, { once: true });
    const { code } = await client.closed;
    signal.removeEventListener('abort', stop);
    for (const message of client.messages) {
      if (typeof message.id === 'number') followed.events.push(asReceived(message));
      else if (message.type === 'error') followed.setbacks.push(String(message.error_code));
    }
    if (followed.events.some(isFinal)) return followed;
    followed.setbacks.push(`close ${code}`);
    followed.reconnects++;
    await pause(RETRY_MS);
  }
  return followed;
}

/**
 * Socket.IO /investigations with `auth.lastEventId` on every (re)connection. The client
 * reconnects by itself after a lost transport; after a refused handshake or a watch that
 * failed (an `error` event) it is the application's turn, as socket.io-client documents.
 */
export function followIo(
  baseUrl: string,
  investigationId: string,
  token: string,
  signal: AbortSignal,
): Promise<Followed> {
  const followed: Followed = { events: [], reconnects: 0, setbacks: [] };
  const lastId = (): number => followed.events.at(-1)?.id ?? 0;
  const client = openIo(`${baseUrl}/investigations`, {
    auth: (cb: (auth: object) => void) => cb({ token, investigationId, lastEventId: lastId() }),
    reconnection: true,
    reconnectionDelay: RETRY_MS,
    reconnectionDelayMax: RETRY_MS * 3,
    randomizationFactor: 0,
  });
  const { socket } = client;
  const later = (act: () => void): void => void setTimeout(() => signal.aborted || act(), RETRY_MS);
  return new Promise((resolve) => {
    signal.addEventListener(
      'abort',
      () => {
        client.close();
        resolve(followed);
      },
      { once: true },
    );
    socket.onAny((event: string, payload: WsMessage) => {
      if (typeof payload?.id === 'number') followed.events.push(asReceived(payload));
      if (event === 'error' && payload?.id === undefined) {
        followed.setbacks.push(String(payload?.error_code));
        later(() => socket.emit('subscribe', { investigation_id: investigationId, last_event_id: lastId() }));
      }
      if (followed.events.some(isFinal)) {
        client.close();
        resolve(followed);
      }
    });
    socket.on('connect_error', (error: Error & { data?: { error_code?: string } }) => {
      followed.setbacks.push(error.data?.error_code ?? 'connect_error');
      if (!socket.active) later(() => socket.connect());
    });
    socket.on('disconnect', (reason: string) => {
      if (reason === 'io client disconnect') return;
      followed.reconnects++;
      followed.setbacks.push(reason);
      if (!socket.active) later(() => socket.connect());
    });
  });
}

export interface Chat {
  readonly sessionId: string;
  readonly events: Received[];
  reconnects: number;
  readonly setbacks: string[];
}

/**
 * POST /api/v1/chat/stream, sent again until accepted (a refused send starts nothing), then
 * followed to `complete` through GET /api/v1/chat/sessions/{id}/stream with Last-Event-ID.
 */
export async function chatOverSse(baseUrl: string, token: string, message: string, signal: AbortSignal): Promise<Chat> {
  const auth = { Authorization: `Bearer ${token}` };
  const setbacks: string[] = [];
  const events: Received[] = [];
  const keep = (frame: SseFrame): void => {
    if (frame.id !== undefined) events.push({ id: Number(frame.id), data: frame.data });
    else setbacks.push(String(frame.data.error_code));
  };
  let sessionId: string | null = null;
  while (sessionId === null && !signal.aborted) {
    const headers = (session: { headers: Headers }): void => {
      sessionId = session.headers.get('x-session-id');
    };
    await readSse(
      `${baseUrl}/api/v1/chat/stream`,
      { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ message }) },
      keep,
      setbacks,
      signal,
      headers,
    );
    if (sessionId === null) await pause(RETRY_MS);
  }
  const chat: Chat = { sessionId: sessionId ?? '', events, reconnects: 0, setbacks };
  while (!events.some((event) => event.data.type === 'complete' || event.data.type === 'error') && !signal.aborted) {
    chat.reconnects++;
    await pause(RETRY_MS);
    const last = events.at(-1)?.id;
    await readSse(
      `${baseUrl}/api/v1/chat/sessions/${chat.sessionId}/stream`,
      { headers: last === undefined ? auth : { ...auth, 'Last-Event-ID': String(last) } },
      keep,
      setbacks,
      signal,
    );
  }
  return chat;
}
