/** Metadata of a command (docs/architecture.md): commandId is also the idempotency key and Nats-Msg-Id. */
export interface CommandMetadata {
  readonly commandId: string;
  readonly correlationId: string;
  readonly userId: string;
  readonly issuedAt: string;
}

/** Where a command goes: one aggregate instance. Both parts must be subject-safe tokens. */
export interface CommandTarget {
  /** Aggregate kind, e.g. 'investigation', 'chat'. */
  readonly aggregate: string;
  readonly id: string;
}

export interface Command<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
  readonly metadata: CommandMetadata;
}

export interface RoutedCommand<C extends Command = Command> {
  readonly target: CommandTarget;
  readonly command: C;
}

export interface SendResult {
  /** True when the bus had already accepted a command with this commandId. */
  readonly duplicate: boolean;
}

export interface CommandContext {
  /** 1 on first delivery, then 2, 3… on redeliveries. */
  readonly deliveryCount: number;
  /** Tells the bus the handler is still busy, so it does not redeliver long work elsewhere. */
  working(): void;
  /** Aborted when the consumer is stopping; long handlers should stop at a safe point. */
  readonly signal: AbortSignal;
}

/**
 * Resolving acks the command. Throwing asks for a redelivery (bounded); a
 * PermanentCommandError, or the last allowed delivery failing, dead-letters it.
 */
export type CommandHandler = (message: RoutedCommand, context: CommandContext) => Promise<void>;

/**
 * Command types handled in slots of their own. A kind that holds its slot for seconds (an
 * investigation's run) then never fills every slot while short commands wait behind it.
 */
export interface CommandLane extends CommandLaneRoute {
  readonly concurrency: number;
}

/** Which command types a lane takes; a distributed bus also routes them by it (a subject token). */
export interface CommandLaneRoute {
  readonly name: string;
  readonly types: readonly string[];
}

export interface ConsumeOptions {
  /** Commands handled at once by this consumer, besides those of its lanes. */
  readonly concurrency: number;
  /** At most `concurrency` plus every lane's concurrency run at once. */
  readonly lanes?: readonly CommandLane[];
}

export interface CommandConsumption {
  /** Stops taking new commands and waits for the ones in flight to settle. */
  stop(): Promise<void>;
}

export interface CommandBus {
  readonly kind: string;
  /** Resolves once the bus durably accepted the command; throws CommandBusUnavailableError otherwise. */
  send(message: RoutedCommand): Promise<SendResult>;
  /**
   * The earliest retained command of this type for this target, or null: it tells who
   * created an aggregate whose first command no worker has handled yet.
   */
  firstAccepted(target: CommandTarget, type: string): Promise<RoutedCommand | null>;
  consume(handler: CommandHandler, options: ConsumeOptions): Promise<CommandConsumption>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
