import type { HubSink, HubSubscription, StreamHubs } from '#eventsourcing';
import { sinkFor, type HubWatch } from '../streaming/hub-watch.js';
import { writeCoalesced, type FrameWriter } from './frame-writer.js';
import type { Peer } from './peer.js';

/** How a hub stream ended for one peer: its sequence's end, the live feed closing, or a failure. */
export type SinkEnd = { readonly kind: 'ended' } | { readonly kind: 'failed'; readonly error: unknown };

/** A hub frame as a peer stream knows it: its resume key. */
export interface KeyedFrame {
  readonly id: number;
}

export interface PeerStreamOptions<Frame extends KeyedFrame> {
  /** Where the stream starts after `afterId` (each start asks again), or null when the client already has its end. */
  readonly open: (afterId: number) => Promise<HubWatch<Frame> | null>;
  /** Writes frames in the peer's form: the shared text frames, tagged texts, or the shared packets. */
  readonly writer: FrameWriter<Frame>;
  /** The stream ended; `last` is the last frame sent since the latest start. */
  readonly onEnd: (end: SinkEnd, last: Frame | null) => void;
}

/**
 * One stream a peer follows on its hub, restartable from any event id (`resume`, a repeated
 * `subscribe`). Each start is one hub subscription whose sink sends the frames' shared
 * encodings as they come; past WEBSOCKET_BUFFER_SIZE bytes waiting for the client it leaves
 * the hub, and catches up from the store once the peer drained.
 */
export class PeerStream<Frame extends KeyedFrame> {
  private sink: PeerSink<Frame> | null = null;
  private startedAfter = 0;

  constructor(
    private readonly peer: Peer,
    private readonly hubs: StreamHubs<Frame>,
    private readonly options: PeerStreamOptions<Frame>,
  ) {}

  get lastDeliveredId(): number {
    return this.sink?.last?.id ?? this.startedAfter;
  }

  /** (Re)starts after `afterId`, dropping whatever the previous start would still send. */
  start(afterId: number): void {
    this.stop();
    this.startedAfter = afterId;
    const { open, writer, onEnd } = this.options;
    const sink: PeerSink<Frame> = new PeerSink(this.peer, writer, (end) => onEnd(end, sink.last));
    this.sink = sink;
    open(afterId).then(
      (watch) => {
        if (sink.stopped) return;
        if (watch === null) return sink.end();
        sink.attach(this.hubs.subscribe(watch.streamId, watch.after, sinkFor(watch, sink), watch.control));
      },
      (error: unknown) => sink.error(error),
    );
  }

  stop(): void {
    this.sink?.stop();
  }
}

/** One start's hub subscription: stopping it (unsubscribe, resume elsewhere, close) silences whatever the hub would still call. */
class PeerSink<Frame> implements HubSink<Frame> {
  private subscription: HubSubscription | null = null;
  stopped = false;
  /** The last frame sent, or null before the first. */
  last: Frame | null = null;

  constructor(
    private readonly peer: Peer,
    private readonly writer: FrameWriter<Frame>,
    private readonly onEnd: (end: SinkEnd) => void,
  ) {}

  attach(subscription: HubSubscription): void {
    if (this.stopped) subscription.unsubscribe();
    else this.subscription = subscription;
  }

  stop(): void {
    this.stopped = true;
    this.subscription?.unsubscribe();
    this.subscription = null;
  }

  /**
   * One write for the frames when they fit, else stops at the frame that takes the peer past
   * its buffer: the rest come from the store once it drained.
   */
  write(frames: readonly Frame[]): boolean | number {
    if (this.stopped || this.peer.closed) return true;
    const written = writeCoalesced(this.writer, frames);
    if (written > 0) this.last = frames[written - 1] ?? this.last;
    if (written < frames.length) return written;
    return !this.writer.overloaded();
  }

  writable(): Promise<void> {
    this.peer.notePause();
    return new Promise((resolve) => this.peer.whenDrained(resolve));
  }

  end(): void {
    this.finish({ kind: 'ended' });
  }

  error(error: unknown): void {
    this.finish({ kind: 'failed', error });
  }

  private finish(end: SinkEnd): void {
    if (this.stopped) return;
    this.stopped = true;
    this.subscription = null;
    this.onEnd(end);
  }
}
