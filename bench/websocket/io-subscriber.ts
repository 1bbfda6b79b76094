import { io } from 'socket.io-client';
import { monotonicMs } from '../streaming/clock.js';
import { timedFrames, type Subscriber, type TimedOptions } from './timed-frames.js';

export interface IoSubscriberOptions extends TimedOptions {
  readonly baseUrl: string;
  readonly investigationId: string;
}

/** One Socket.IO client of /investigations over the websocket transport, with its own connection. */
export function openIoSubscriber(options: IoSubscriberOptions): Subscriber {
  const timed = timedFrames(options);
  const socket = io(`${options.baseUrl}/investigations`, {
    auth: { investigationId: options.investigationId },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  let closing = false;
  socket.onAny((_event: string, payload: { id?: unknown } | undefined) => {
    if (typeof payload?.id === 'number') timed.receive(payload.id, monotonicMs());
  });
  socket.on('connect_error', (error: Error) => timed.fail(error));
  socket.on('disconnect', (reason: string) => {
    if (!closing) timed.fail(new Error(`disconnected: ${reason}`));
    timed.end();
  });
  return {
    ...timed.subscriber,
    close: () => {
      closing = true;
      socket.close();
    },
  };
}
