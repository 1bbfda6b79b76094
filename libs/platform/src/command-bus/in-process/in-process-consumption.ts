import { ConcurrencyGate } from '../concurrency-gate.js';
import type { CommandConsumption, CommandContext, CommandHandler, RoutedCommand } from '../command-bus.port.js';

/** A command waiting in the in-process queue, with the delivery count it will be handed with. */
export interface Envelope {
  readonly message: RoutedCommand;
  readonly deliveryCount: number;
}

export interface ConsumptionHooks {
  /**
   * Called once per delivery after the handler settled; `failure` is set when it threw, with
   * `stopping` when the consumption was stopping by then (the handler was asked to give up).
   */
  settled(envelope: Envelope, failure: { readonly error: unknown; readonly stopping: boolean } | undefined): void;
  /** Called once stop() starts, so the bus no longer hands this consumption anything. */
  stopping(consumption: InProcessConsumption): void;
}

export class InProcessConsumption implements CommandConsumption {
  private readonly gate: ConcurrencyGate;
  private readonly abort = new AbortController();
  private stopped?: Promise<void>;

  constructor(
    private readonly handler: CommandHandler,
    concurrency: number,
    private readonly hooks: ConsumptionHooks,
  ) {
    this.gate = new ConcurrencyGate(concurrency);
  }

  get inFlight(): number {
    return this.gate.busy;
  }

  /** Takes a slot for the next command; false when full or stopping. */
  reserve(): boolean {
    return !this.abort.signal.aborted && this.gate.tryAcquire();
  }

  /** Runs a command in a reserved slot. */
  dispatch(envelope: Envelope): void {
    // A later microtask, so a handler never runs inside the send() or pump that queued it.
    queueMicrotask(() => void this.run(envelope));
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.hooks.stopping(this);
    this.abort.abort();
    await this.gate.whenIdle();
  }

  private async run(envelope: Envelope): Promise<void> {
    const context: CommandContext = {
      deliveryCount: envelope.deliveryCount,
      // Nothing redelivers behind a running handler in one process, so there is no timer to reset.
      working: () => undefined,
      signal: this.abort.signal,
    };
    let failure: { readonly error: unknown; readonly stopping: boolean } | undefined;
    try {
      await this.handler(envelope.message, context);
    } catch (error) {
      failure = { error, stopping: this.abort.signal.aborted };
    }
    // Freed first so the bus can refill the slot while it records the outcome; stop() still
    // resolves after the outcome, its continuation being a later microtask.
    this.gate.release();
    this.hooks.settled(envelope, failure);
  }
}
