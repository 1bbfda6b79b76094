import type { ReadModelStore } from './read-model.port.js';

export interface CheckpointWait {
  readonly timeoutMs: number;
  /** Between two reads of the checkpoint (default 25 ms). */
  readonly intervalMs?: number;
}

/**
 * Whether the projection's checkpoint reached `position` within the bound: how a reader
 * waits for its own write to be projected. The projector may run in another process, so
 * the stored checkpoint is what is asked, not an in-process signal.
 */
export async function checkpointReached(
  readModels: ReadModelStore,
  projection: string,
  position: number,
  wait: CheckpointWait,
): Promise<boolean> {
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    const checkpoint = await readModels.checkpoint(projection);
    if ((checkpoint?.position ?? 0) >= position) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, wait.intervalMs ?? 25));
  }
}
