import {
  CHAT_CATEGORY,
  chatDecider,
  chatEventCatalog,
  chatStreamId,
  type ChatCommand,
  type ChatEvent,
  type ChatState,
} from '#chat';
import type { Metrics } from '#platform';
import { ActorRegistry, DeciderActor, type EventStore } from '#eventsourcing';

export type ChatActor = DeciderActor<ChatCommand, ChatEvent, ChatState>;

export function createChatActors(deps: {
  store: EventStore;
  clock: () => Date;
  metrics?: Metrics;
  capacity?: number;
}): ActorRegistry<ChatActor> {
  return new ActorRegistry(
    (sessionId) =>
      new DeciderActor({
        store: deps.store,
        streamId: chatStreamId(sessionId),
        category: CHAT_CATEGORY,
        catalog: chatEventCatalog,
        decider: chatDecider,
        clock: deps.clock,
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
      }),
    deps.capacity,
  );
}
