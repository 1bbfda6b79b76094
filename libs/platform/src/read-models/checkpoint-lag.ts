import type { EventStore, ReadModelStore } from '#eventsourcing';

/** Position a follower of the store has checkpointed (0 before its first commit). */
export async function checkpointPosition(readModels: ReadModelStore, name: string): Promise<number> {
  return (await readModels.checkpoint(name))?.position ?? 0;
}

/** Events in the store after a follower's checkpoint, as projection_lag_events{projection} reports them. */
export async function checkpointLags(
  store: EventStore,
  readModels: ReadModelStore,
  name: string,
): Promise<ReadonlyMap<string, number>> {
  const [head, position] = await Promise.all([store.headPosition(), checkpointPosition(readModels, name)]);
  return new Map([[name, Math.max(0, head - position)]]);
}
