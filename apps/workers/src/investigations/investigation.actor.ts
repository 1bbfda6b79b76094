import {
  investigationDecider,
  investigationEventCatalog,
  investigationStreamId,
  INVESTIGATION_CATEGORY,
  type InvestigationCommand,
  type InvestigationEvent,
  type InvestigationState,
} from '#investigations';
import type { Metrics } from '#platform';
import { ActorRegistry, DeciderActor, type EventStore } from '#eventsourcing';

export type InvestigationActor = DeciderActor<InvestigationCommand, InvestigationEvent, InvestigationState>;

export function createInvestigationActors(deps: {
  store: EventStore;
  clock: () => Date;
  metrics?: Metrics;
  capacity?: number;
  producer?: string;
}): ActorRegistry<InvestigationActor> {
  return new ActorRegistry(
    (id) =>
      new DeciderActor({
        store: deps.store,
        streamId: investigationStreamId(id),
        category: INVESTIGATION_CATEGORY,
        catalog: investigationEventCatalog,
        decider: investigationDecider,
        clock: deps.clock,
        ...(deps.producer ? { producer: deps.producer } : {}),
        ...(deps.metrics ? { metrics: deps.metrics } : {}),
      }),
    deps.capacity,
  );
}
