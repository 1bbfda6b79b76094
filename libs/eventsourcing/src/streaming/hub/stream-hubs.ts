import type { FollowSource } from '../catch-up.js';
import type { HubControl, HubSink, HubSubscription } from './hub-sink.js';
import { StreamHub, type HubProjection, type StreamHubOptions } from './stream-hub.js';

/**
 * The hubs of one kind of stream in this process (investigations, chat sessions, the feed
 * of every stream): a hub exists while its stream has subscribers, and is the only live
 * subscription to that stream here.
 */
export class StreamHubs<Frame> {
  private readonly hubs = new Map<string, StreamHub<Frame>>();

  constructor(
    private readonly sourceOf: (streamId: string) => FollowSource,
    private readonly projection: HubProjection<Frame>,
    private readonly options: StreamHubOptions = {},
  ) {}

  /** Streams with a hub now. */
  get size(): number {
    return this.hubs.size;
  }

  subscribe(streamId: string, after: number, sink: HubSink<Frame>, control?: HubControl<Frame>): HubSubscription {
    let hub = this.hubs.get(streamId);
    if (!hub || hub.isDisposed) {
      // A hub marks itself disposed before it calls back, so the one to forget is the disposed one.
      const forget = (): void => {
        if (this.hubs.get(streamId)?.isDisposed) this.hubs.delete(streamId);
      };
      const created = new StreamHub(this.sourceOf(streamId), this.projection, forget, this.options);
      // A closed live feed ends the hub at once: it still serves this catch-up, but is not kept.
      if (!created.isDisposed) this.hubs.set(streamId, created);
      hub = created;
    }
    return hub.subscribe(after, sink, control);
  }
}
