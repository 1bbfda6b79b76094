import type { Observable } from 'rxjs';
import type { HubSink, StreamHubs } from '#eventsourcing';
import type { SseMessage } from '#platform';
import { sinkFor, type HubWatch } from '../streaming/hub-watch.js';
import type { WireFrame } from '../streaming/wire-frame.js';
import type { MuxOutlet, MuxSource } from './mux-connection.js';

/**
 * A stream of the connection as one more subscriber of its hub: the hub's frames (encoded
 * once for every subscriber) are tagged and written; past the buffer limit it leaves the
 * hub and catches up from the store once drained, as every hub subscriber does.
 */
export function hubSource(
  hubs: StreamHubs<WireFrame>,
  watch: HubWatch<WireFrame>,
  outlet: MuxOutlet,
  isFinal: (frame: WireFrame) => boolean = () => false,
): MuxSource {
  let stopped = false;
  let last: WireFrame | null = null;
  const sink: HubSink<WireFrame> = {
    write: (frames) => {
      if (stopped) return true;
      last = frames[frames.length - 1] ?? last;
      return outlet.write(frames.map((frame) => ({ position: frame.id, json: frame.json })));
    },
    writable: () => outlet.writable(),
    end: () => {
      if (!stopped) outlet.ended(last !== null && isFinal(last));
    },
    error: (error) => {
      if (!stopped) outlet.failed(error);
    },
  };
  const subscription = hubs.subscribe(watch.streamId, watch.after, sinkFor(watch, sink), watch.control);
  return {
    stop: () => {
      stopped = true;
      subscription.unsubscribe();
    },
  };
}

/** A stream served by an Observable of SSE messages whose ids are positions (the list's changes). */
export function observedSource(messages$: Observable<SseMessage>, outlet: MuxOutlet): MuxSource {
  const subscription = messages$.subscribe({
    next: (message) => outlet.write([{ position: Number(message.id), json: JSON.stringify(message.data) }]),
    error: (error: unknown) => outlet.failed(error),
    complete: () => outlet.ended(false),
  });
  return { stop: () => subscription.unsubscribe() };
}
