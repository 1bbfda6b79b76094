import type { Observable, Subscription } from 'rxjs';
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
      // The hub's own frames and array: connections that share their frames (mux-frames) share them per frame and per tick.
      return outlet.write(frames);
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

/**
 * A stream read after a position (the list's changes, ids being positions): past the buffer
 * limit it stops reading and, once drained, reads on after the last change it wrote. The
 * read model is its buffer, as the store is a hub stream's: a client that stops reading
 * costs the server what the limit lets through, however busy the list.
 */
export function positionedSource(
  changesAfter: (after: number) => Promise<Observable<SseMessage>>,
  after: number,
  outlet: MuxOutlet,
): MuxSource {
  let stopped = false;
  let last = after;
  let subscription: Subscription | null = null;
  const follow = async (): Promise<void> => {
    let paused = false;
    try {
      const messages$ = await changesAfter(last);
      if (stopped) return;
      subscription = messages$.subscribe({
        next: (message) => {
          if (paused) return;
          last = Number(message.id);
          if (outlet.write([{ id: last, json: JSON.stringify(message.data) }])) return;
          paused = true;
          subscription?.unsubscribe();
          void outlet.writable().then(() => (stopped ? undefined : follow()));
        },
        error: (error: unknown) => outlet.failed(error),
        complete: () => outlet.ended(false),
      });
      if (paused) subscription.unsubscribe();
    } catch (error) {
      outlet.failed(error);
    }
  };
  void follow();
  return {
    stop: () => {
      stopped = true;
      subscription?.unsubscribe();
    },
  };
}
