import type {
  CommandConsumption,
  CommandContext,
  CommandHandler,
  ConsumeOptions,
  RoutedCommand,
} from '../command-bus.port.js';
import { LaneGates } from '../lanes.js';

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
  private readonly gates: LaneGates;
  private readonly abort = new AbortController();
  private stopped?: Promise<void>;

  constructor(
    private readonly handler: CommandHandler,
    options: ConsumeOptions,
    private readonly hooks: ConsumptionHooks,
  ) {
    this.gates = new LaneGates(options);
  }

  get inFlight(): number {
    return this.gates.busy;
  }

  /** No slot free in any lane, or stopping: nothing more can be handed to it now. */
  get full(): boolean {
    return this.abort.signal.aborted || this.gates.full;
  }

  /** Takes a slot in the lane of this command type; false when that lane is full or stopping. */
  reserve(type: string): boolean {
    return !this.abort.signal.aborted && this.gates.of(type).tryAcquire();
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
    await this.gates.whenIdle();
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
    this.gates.of(envelope.message.command.type).release();
    this.hooks.settled(envelope, failure);
  }
}
