import type { RecordedEvent } from '../../event-store/event-store.port.js';

/** One event of a hub, projected once for every subscriber. */
export interface HubEntry<Frame> {
  /** The resume key: the stream's revision, or the global position for feeds across streams. */
  readonly key: number;
  readonly event: RecordedEvent;
  /** The event's wire form, or null when it has none (its key still moves the subscriber on). */
  readonly frame: Frame | null;
  /** The sequence's last event: subscribers end after it. */
  readonly end: boolean;
}

/**
 * Where a subscriber's frames go: a socket, in practice. The hub passes the same array to
 * every caught-up subscriber of one tick, so an encoder memoised on the array encodes a
 * tick's frames once for all of them.
 */
export interface HubSink<Frame> {
  /**
   * Writes frames in order; false once the subscriber's buffer passed its limit (it leaves the
   * live set). A sink that stops part-way (its limit passed mid-write) answers how many of the
   * frames it took: it is full, and the rest come again from the store once it drained.
   */
  write(frames: readonly Frame[]): boolean | number;
  /** Resolves once the sink takes more again (drained) or closed. */
  writable(): Promise<void>;
  /** The sequence ended, or the live feed closed (shutdown): the client resumes later. */
  end(): void;
  error(error: unknown): void;
}

/**
 * A subscriber's own say over an entry, for subscribers that see part of a stream (one
 * chat message's answer, a filtered feed): `skip` moves past it, `last` delivers it and
 * ends, `stop` ends before it. Subscribers without one take every frame.
 */
export type HubVerdict = 'deliver' | 'skip' | 'last' | 'stop';
export type HubControl<Frame> = (entry: HubEntry<Frame>) => HubVerdict;

export interface HubSubscription {
  unsubscribe(): void;
}
