import { setTimeout as delay } from 'node:timers/promises';
import { isStorageOutage, type CommandContext, type CommandHandler, type Dependency, type Logger } from '#platform';

export interface StorageOutageOptions {
  /** What must answer again before work resumes: the event store and the audit log. */
  readonly dependencies: readonly Dependency[];
  readonly logger: Logger;
  /** How often a waiting command tells the bus it is still being worked on: well inside the ack wait. */
  readonly heartbeatMs: number;
  /** Pause before probe `attempt` (0, 1…). */
  readonly probeDelayMs: (attempt: number) => number;
}

/**
 * Carries commands through a PostgreSQL outage without spending their deliveries.
 *
 * JetStream counts every redelivery toward COMMAND_MAX_DELIVER, and a nak is a redelivery,
 * so naking each attempt that fails while the database is down would dead-letter sound
 * commands once the outage outlasts a few retry delays. Instead a command whose handling
 * fails on an unreachable store keeps its message: it waits here, telling the bus it is
 * still being worked on, and is handled again from the top (handlers are idempotent, as
 * for any redelivery) once every dependency answers. Its handler slot stays taken while
 * it waits, so the worker takes no new commands during the outage: they stay on the
 * server for when the store is back. A worker that dies meanwhile still loses the message
 * to a redelivery, as it should.
 */
export class StorageOutage {
  private recovery: Promise<void> | null = null;
  private readonly stopping = new AbortController();

  constructor(private readonly options: StorageOutageOptions) {}

  get isDown(): boolean {
    return this.recovery !== null;
  }

  wrap(handler: CommandHandler): CommandHandler {
    return (message, context) => this.retrying(() => handler(message, context), context);
  }

  /** Runs `work`, again and again while it fails on an unreachable store, waiting for it in between. */
  async retrying<T>(work: () => Promise<T>, context: CommandContext): Promise<T> {
    for (;;) {
      await this.whenUp(context);
      try {
        return await work();
      } catch (error) {
        if (!isStorageOutage(error) || context.signal.aborted) throw error;
        this.reportDown(error);
      }
    }
  }

  /** Stops probing (shutdown); commands still waiting end when their consumer aborts them. */
  close(): void {
    this.stopping.abort();
  }

  private reportDown(cause: unknown): void {
    if (this.recovery) return;
    this.options.logger.warn(
      { err: cause },
      'storage unreachable: commands wait and are retried in place, no new ones are taken',
    );
    this.recovery = this.probeUntilUp().finally(() => {
      this.recovery = null;
    });
  }

  private async probeUntilUp(): Promise<void> {
    for (let attempt = 0; !this.stopping.signal.aborted; attempt++) {
      await delay(this.options.probeDelayMs(attempt), undefined, { signal: this.stopping.signal }).catch(
        () => undefined,
      );
      const checks = await Promise.allSettled(this.options.dependencies.map((dependency) => dependency.ping()));
      if (checks.every((check) => check.status === 'fulfilled')) {
        this.options.logger.info({ attempts: attempt + 1 }, 'storage reachable again: resuming commands');
        return;
      }
      this.options.logger.info({ attempt: attempt + 1 }, 'storage still unreachable');
    }
  }

  private async whenUp(context: CommandContext): Promise<void> {
    const recovery = this.recovery;
    if (!recovery) return;
    context.working();
    const heartbeat = setInterval(() => context.working(), this.options.heartbeatMs);
    try {
      await untilAborted(recovery, context.signal);
    } finally {
      clearInterval(heartbeat);
    }
  }
}

function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new Error('the worker is stopping; the command is redelivered'));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new Error('the worker is stopping; the command is redelivered'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
