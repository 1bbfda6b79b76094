import type { HubSink, HubSubscription } from '#eventsourcing';
import type { WireFrame } from '../streaming/wire-frame.js';
import type { Peer } from './peer.js';

/** How a hub stream ended for one peer: its sequence's end, the live feed closing, or a failure. */
export type SinkEnd = { readonly kind: 'ended' } | { readonly kind: 'failed'; readonly error: unknown };

export interface WsSinkOptions {
  /** Sends one frame in the peer's form: the shared text, tagged text, or the shared object. */
  readonly deliver: (frame: WireFrame) => void;
  readonly onEnd: (end: SinkEnd) => void;
}

/**
 * One peer's subscription to a hub: the frames' shared encodings, sent as they come. Past
 * WEBSOCKET_BUFFER_SIZE bytes waiting for the client it leaves the hub, and catches up from
 * the store once the peer drained. Stopping it (unsubscribe, resume elsewhere, close)
 * silences whatever the hub would still call.
 */
export class WsSink implements HubSink<WireFrame> {
  private subscription: HubSubscription | null = null;
  private stopped = false;
  private lastFrame: WireFrame | null = null;

  constructor(
    private readonly peer: Peer,
    private readonly options: WsSinkOptions,
  ) {}

  /** The last frame sent, or null before the first. */
  get last(): WireFrame | null {
    return this.lastFrame;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  attach(subscription: HubSubscription): void {
    if (this.stopped) subscription.unsubscribe();
    else this.subscription = subscription;
  }

  stop(): void {
    this.stopped = true;
    this.subscription?.unsubscribe();
    this.subscription = null;
  }

  /** Stops at the frame that takes the peer past its buffer: the rest come from the store once it drained. */
  write(frames: readonly WireFrame[]): boolean | number {
    if (this.stopped || this.peer.closed) return true;
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i];
      if (!frame) break;
      this.options.deliver(frame);
      this.lastFrame = frame;
      if (this.peer.overloaded()) return i + 1 === frames.length ? false : i + 1;
    }
    return true;
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
    this.options.onEnd(end);
  }
}
