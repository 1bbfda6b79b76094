import type { SseSubscriber } from '../streaming/sse-subscriber.js';

/** The counters and arrival times every subscriber keeps, whatever its transport (see SseSubscriber). */
export type Subscriber = SseSubscriber;

export interface TimedOptions {
  /** A revision of the stream's history: its arrival proves the subscription is open. */
  readonly historyRevision: number;
  /** Revisions below this one (history, warm-up) are not timed. */
  readonly firstTimedRevision: number;
  readonly timedFrames: number;
}

/** Records, per revision, when it arrived; a thousand of these stay cheap next to the server they measure. */
export function timedFrames(options: TimedOptions): {
  readonly subscriber: Omit<Subscriber, 'close'>;
  receive(id: number, at: number): void;
  fail(error: Error): void;
  end(): void;
} {
  const receivedAtMs = new Float64Array(options.timedFrames);
  const counts: Subscriber['counts'] = {
    delivered: 0,
    duplicates: 0,
    unexpected: 0,
    lastId: 0,
    ended: false,
    error: null,
  };
  let markConnected: () => void = () => undefined;
  let failConnect: (error: Error) => void = () => undefined;
  const connected = new Promise<void>((resolve, reject) => {
    markConnected = resolve;
    failConnect = reject;
  });
  return {
    subscriber: { connected, receivedAtMs, counts },
    receive: (id, at) => {
      if (id === options.historyRevision) markConnected();
      counts.lastId = Math.max(counts.lastId, id);
      const slot = id - options.firstTimedRevision;
      if (slot < 0) return;
      if (slot >= receivedAtMs.length) counts.unexpected++;
      else if (receivedAtMs[slot] !== 0) counts.duplicates++;
      else {
        receivedAtMs[slot] = at;
        counts.delivered++;
      }
    },
    fail: (error) => {
      counts.error ??= error.message;
      failConnect(error);
    },
    end: () => {
      counts.ended = true;
    },
  };
}
