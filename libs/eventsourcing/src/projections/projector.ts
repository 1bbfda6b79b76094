import type { EventStore } from '../event-store/event-store.port.js';
import type { Projection } from './projection.js';
import { ProjectionBatch } from './projection-batch.js';
import { WakeLoop, type HostedRunner } from './wake-loop.js';
import type { ReadModelStore } from './read-model.port.js';

export interface ProjectorOptions<E> {
  readonly store: EventStore;
  readonly readModels: ReadModelStore;
  readonly projection: Projection<E>;
  /** Events read and committed together (default 500). */
  readonly batchSize?: number;
  /** Delay before a failed run (the store away) is tried again (default 1 s). */
  readonly retryMs?: number;
  readonly onError?: (error: unknown, projection: string) => void;
}

/**
 * Runs one projection by following the store's global order from its checkpoint: read a
 * page after the checkpoint, apply it, commit the writes with the new checkpoint, repeat
 * until the head; then wait for the live feed to say something was committed. The live
 * feed is only a wake-up: what is applied is always read from the store after the stored
 * checkpoint, so an event is applied once whatever the feed delivers, and a restart
 * resumes exactly where the last commit left off.
 */
export class Projector<E = unknown> implements HostedRunner {
  private readonly batchSize: number;
  private readonly loop: WakeLoop;

  constructor(private readonly options: ProjectorOptions<E>) {
    this.batchSize = options.batchSize ?? 500;
    this.loop = new WakeLoop(async () => void (await this.catchUp()), {
      retryDelay: () => options.retryMs ?? 1_000,
      onError: (error) => options.onError?.(error, this.name),
      wakeOn: () => options.store.subscribe(),
    });
  }

  get name(): string {
    return this.options.projection.name;
  }

  /** Follows the store until stop(); catches up at once. */
  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Applies everything committed so far; resolves with the checkpoint reached. */
  async catchUp(): Promise<number> {
    const { readModels, projection, store } = this.options;
    let checkpoint = await readModels.checkpoint(projection.name);
    if (checkpoint && checkpoint.version !== projection.version) {
      await readModels.reset(projection.name, projection.collections);
      checkpoint = null;
    }
    let from = checkpoint?.position ?? 0;
    for (;;) {
      const events = await store.readAll({ after: from, maxCount: this.batchSize });
      const last = events.at(-1);
      if (!last) return from;
      const batch = new ProjectionBatch(readModels);
      for (const event of events) await batch.apply(projection, event);
      const move = { projection: projection.name, version: projection.version, from, to: last.position };
      const moved = await readModels.commit({ ...move, writes: batch.writes });
      // Another projector committed first: continue from where it got to.
      from = moved ? last.position : ((await readModels.checkpoint(projection.name))?.position ?? 0);
    }
  }

  /** Drops the read model and replays the whole store into it. */
  async rebuild(): Promise<number> {
    const { readModels, projection } = this.options;
    await this.loop.settled();
    await readModels.reset(projection.name, projection.collections);
    return this.catchUp();
  }

  /** Events in the store the projection has not taken into account yet. */
  async lag(): Promise<number> {
    const { readModels, projection, store } = this.options;
    const [head, checkpoint] = await Promise.all([store.headPosition(), readModels.checkpoint(projection.name)]);
    return Math.max(0, head - (checkpoint?.position ?? 0));
  }
}
