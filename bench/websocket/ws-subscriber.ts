import { WebSocket } from 'ws';
import { monotonicMs } from '../streaming/clock.js';
import { timedFrames, type Subscriber, type TimedOptions } from './timed-frames.js';

export interface WsSubscriberOptions extends TimedOptions {
  readonly baseUrl: string;
  readonly investigationId: string;
  /** `investigations`: /api/v1/ws/investigations/{id}; `general`: /api/v1/ws with a subscribe (batched). */
  readonly endpoint: 'investigations' | 'general';
}

type Frame = { id?: unknown; type?: unknown; messages?: Frame[] };

/** One raw WebSocket client (the `ws` package), reading JSON text frames as the seed's clients do. */
export function openWsSubscriber(options: WsSubscriberOptions): Subscriber {
  const timed = timedFrames(options);
  const base = options.baseUrl.replace(/^http/, 'ws');
  const url =
    options.endpoint === 'investigations'
      ? `${base}/api/v1/ws/investigations/${options.investigationId}`
      : `${base}/api/v1/ws`;
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let closing = false;
  ws.on('open', () => {
    if (options.endpoint === 'general')
      ws.send(JSON.stringify({ type: 'subscribe', stream: `investigation:${options.investigationId}` }));
  });
  ws.on('message', (data) => {
    // One reading per frame: messages batched together were delivered together.
    const at = monotonicMs();
    const frame = JSON.parse(data.toString()) as Frame;
    for (const message of frame.type === 'batch' && Array.isArray(frame.messages) ? frame.messages : [frame]) {
      if (typeof message.id === 'number') timed.receive(message.id, at);
    }
  });
  ws.on('error', (error) => {
    if (!closing) timed.fail(error);
  });
  ws.on('close', () => timed.end());
  return {
    ...timed.subscriber,
    close: () => {
      closing = true;
      ws.terminate();
    },
  };
}
