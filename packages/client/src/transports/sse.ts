import { apiErrorOf, StreamEnded } from '../client-errors.js';
import type { ConnectRequest, Frame, Transport } from '../resumable-stream.js';
import { SseParser } from '../sse-parser.js';

/**
 * Server-Sent Events over fetch streams (so the token goes in a header, which EventSource
 * cannot send): resumes with Last-Event-ID; 204 means the stream is over.
 */
export function sseTransport(fetchFn: typeof fetch, url: string): Transport {
  return async function* (request: ConnectRequest): AsyncGenerator<Frame> {
    const { lastEventId, token, signal } = request;
    const response = await fetchFn(url, {
      method: 'GET',
      headers: {
        Accept: 'text/event-stream',
        ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
        ...(lastEventId === undefined ? {} : { 'Last-Event-ID': lastEventId }),
      },
      signal,
    });
    if (response.status === 204) throw new StreamEnded('the server has nothing more on this stream');
    if (!response.ok) throw await apiErrorOf(response);
    if (!response.body) throw new Error('the response has no body to stream');
    // getReader rather than async iteration: Safari's ReadableStream is not async iterable.
    const reader = response.body.getReader();
    const parser = new SseParser();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const { events, retryMs } = parser.push(decoder.decode(value, { stream: true }));
        if (retryMs !== undefined) request.retryMs = retryMs;
        for (const event of events) yield { id: event.id, data: JSON.parse(event.data) as unknown };
      }
    } finally {
      reader.cancel().catch(() => undefined);
    }
  };
}
