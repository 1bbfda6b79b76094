import type { Provider } from '@nestjs/common';
import { StreamHubs, allStreamsSource, streamSource, type LiveFeed } from '#eventsourcing';
import { toCloudEvent } from '#audit';
import { TimerWheel, type Runtime } from '#platform';
import { chatProjection } from '../chat/chat-frames.js';
import { investigationProjection } from '../investigations/investigation-frames.js';
import { CHAT_HUBS, FEED_HUBS, INVESTIGATION_HUBS, LIVE_FEED, RUNTIME, TIMER_WHEEL } from '../tokens.js';
import { WireFrame } from './wire-frame.js';

/** The feed of every stream has one hub; its subscribers resume by global position. */
export const FEED_HUB_ID = 'all';

/**
 * History goes out a frame per write, as it did before hubs: a gzipped response then
 * flushes each event on its own, so a client sees each as soon as it is read. Live ticks
 * are one write.
 */
const HUB_OPTIONS = { sliceSize: 1 };

/** One hub per watched stream of each kind, and the one timer wheel of the process. */
export const streamHubProviders: Provider[] = [
  { provide: TIMER_WHEEL, useFactory: () => new TimerWheel() },
  {
    provide: INVESTIGATION_HUBS,
    useFactory: (runtime: Runtime, feed: LiveFeed) =>
      new StreamHubs((id) => streamSource(runtime.store, feed, id), investigationProjection, HUB_OPTIONS),
    inject: [RUNTIME, LIVE_FEED],
  },
  {
    provide: CHAT_HUBS,
    useFactory: (runtime: Runtime, feed: LiveFeed) =>
      new StreamHubs((id) => streamSource(runtime.store, feed, id), chatProjection, HUB_OPTIONS),
    inject: [RUNTIME, LIVE_FEED],
  },
  {
    provide: FEED_HUBS,
    useFactory: (runtime: Runtime, feed: LiveFeed) =>
      new StreamHubs(
        () => allStreamsSource(runtime.store, feed),
        {
          frame: (event) => new WireFrame(event.position, toCloudEvent(event)),
        },
        HUB_OPTIONS,
      ),
    inject: [RUNTIME, LIVE_FEED],
  },
];
