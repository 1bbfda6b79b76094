import http from 'node:http';
import { monotonicMs } from './clock.js';

/**
 * One SSE client over node:http, reading frames as the seed's clients do (`id:` and
 * `data:` lines). It records, per revision, when the frame arrived; nothing else is kept,
 * so a thousand of them stay cheap next to the server they measure.
 */
export interface SseSubscriber {
  /** Resolves once `retry:` and the frame with id `historyRevision` arrived. */
  readonly connected: Promise<void>;
  /** Monotonic ms at which revision `firstTimedRevision + i` arrived; 0 while it has not. */
  readonly receivedAtMs: Float64Array;
  readonly counts: {
    delivered: number;
    duplicates: number;
    unexpected: number;
    lastId: number;
    ended: boolean;
    error: string | null;
  };
  close(): void;
}

export interface SubscriberOptions {
  readonly url: string;
  readonly agent: http.Agent;
  /** A frame of the stream's history: its arrival proves the subscription is open. */
  readonly historyRevision: number;
  /** Frames below this one (history, warm-up) are not timed. */
  readonly firstTimedRevision: number;
  readonly timedFrames: number;
}

function frameId(frame: string): number | null {
  let hasData = false;
  let id: number | null = null;
  for (const line of frame.split('\n')) {
    if (line.startsWith('id: ')) id = Number(line.slice(4));
    else if (line.startsWith('data: ')) hasData = true;
  }
  return hasData ? id : null;
}

export function openSubscriber(options: SubscriberOptions): SseSubscriber {
  const receivedAtMs = new Float64Array(options.timedFrames);
  const counts: SseSubscriber['counts'] = {
    delivered: 0,
    duplicates: 0,
    unexpected: 0,
    lastId: 0,
    ended: false,
    error: null,
  };
  let closing = false;
  const noteError = (error: Error): void => {
    if (!closing) counts.error ??= error.message;
  };
  let sawRetry = false;
  let sawFirst = false;
  let markConnected: () => void = () => undefined;
  let failConnect: (error: Error) => void = () => undefined;
  const connected = new Promise<void>((resolve, reject) => {
    markConnected = resolve;
    failConnect = reject;
  });
  const onFrame = (frame: string, at: number): void => {
    if (frame.startsWith('retry:')) sawRetry = true;
    const id = frameId(frame);
    if (id === null) return;
    if (id === options.historyRevision) sawFirst = true;
    if (sawRetry && sawFirst) markConnected();
    counts.lastId = Math.max(counts.lastId, id);
    const slot = id - options.firstTimedRevision;
    if (slot < 0) return;
    if (slot >= receivedAtMs.length) counts.unexpected++;
    else if (receivedAtMs[slot] !== 0) counts.duplicates++;
    else {
      receivedAtMs[slot] = at;
      counts.delivered++;
    }
  };
  const request = http.get(
    options.url,
    { agent: options.agent, headers: { Accept: 'text/event-stream' } },
    (response) => {
      if (response.statusCode !== 200) {
        failConnect(new Error(`GET ${options.url} answered ${response.statusCode}`));
        response.resume();
        return;
      }
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk: string) => {
        // One reading per chunk: frames that arrived together were delivered together.
        const at = monotonicMs();
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          onFrame(buffer.slice(0, cut), at);
          buffer = buffer.slice(cut + 2);
        }
      });
      response.on('end', () => (counts.ended = true));
      response.on('error', noteError);
    },
  );
  request.on('error', (error) => {
    noteError(error);
    failConnect(error);
  });
  const close = (): void => {
    closing = true;
    request.destroy();
  };
  return { connected, receivedAtMs, counts, close };
}
