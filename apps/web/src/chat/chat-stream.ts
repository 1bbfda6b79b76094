import { apiErrorOf, SseParser, type ChatWireEvent, type StreamMessage } from '@cidadao-ai/client';
import { api, apiFetch } from '../api';

/** The secret of a session started without a token, to continue it. */
export interface ChatSession {
  readonly id: string;
  readonly token: string | null;
}

/**
 * Sends one message and yields its answer as it streams (POST /api/v1/chat/stream); if the
 * connection drops before `complete`, the client package's session stream resumes it after
 * the last event id seen.
 */
export async function* ask(
  message: string,
  session: ChatSession | null,
  signal: AbortSignal,
  onSession: (session: ChatSession) => void,
): AsyncGenerator<StreamMessage<ChatWireEvent>> {
  const response = await apiFetch('/api/v1/chat/stream', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'text/event-stream',
      ...(session?.token ? { 'X-Chat-Session-Token': session.token } : {}),
    },
    body: JSON.stringify({ message, ...(session ? { session_id: session.id } : {}) }),
    signal,
  });
  if (!response.ok || !response.body) throw await apiErrorOf(response);
  const reader = response.body.getReader();
  const parser = new SseParser();
  const decoder = new TextDecoder();
  let current = session;
  let lastId: string | undefined;
  let ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const event of parser.push(decoder.decode(value, { stream: true })).events) {
        const data = JSON.parse(event.data) as ChatWireEvent;
        if (event.id !== undefined) lastId = event.id;
        if (data.type === 'start') {
          current = { id: data.session_id, token: data.session_token ?? current?.token ?? null };
          onSession(current);
        }
        yield { id: event.id, message: data };
        if (data.type === 'complete' || data.type === 'error') ended = true;
      }
    }
  } catch (error) {
    if (signal.aborted || !current) throw error;
  } finally {
    reader.cancel().catch(() => undefined);
  }
  if (ended || !current || signal.aborted) return;
  yield* api().chatEvents(current.id, { lastEventId: lastId, signal });
}
