import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { ConcurrencyGate } from '../concurrency-gate.js';
import type { CommandConsumption, CommandContext, CommandHandler, RoutedCommand } from '../command-bus.port.js';
import { decideFailure, reportDeadLetter } from '../delivery-policy.js';
import { decodeRoutedCommand } from './command-codec.js';
import type { JetStreamSettings } from './jetstream-options.js';
import { startPendingReporter } from './pending-reporter.js';

/** How long an idle pull request waits at the server before it is renewed. */
const PULL_EXPIRES_MS = 5000;
/** Pause after a failed pull (server gone, consumer missing) so a broken link is not hammered. */
const PULL_RETRY_MS = 1000;

/** One lane's durable consumer and the handler slots this consumption gives it. */
export interface PulledLane {
  readonly consumer: Consumer;
  readonly consumerName: string;
  readonly concurrency: number;
}

export interface JetStreamConsumptionConfig {
  readonly lanes: readonly PulledLane[];
  readonly handler: CommandHandler;
  readonly settings: JetStreamSettings;
  readonly onStopped: (consumption: JetStreamConsumption) => void;
}

interface Lane extends PulledLane {
  readonly gate: ConcurrencyGate;
}

/**
 * Pulls from each lane's durable consumer only as many messages as that lane has free
 * handler slots, so a full lane never holds up another one, and commands a worker cannot
 * start yet stay with the server for other workers instead of ageing towards their ack
 * deadline in a local buffer.
 */
export class JetStreamConsumption implements CommandConsumption {
  private readonly lanes: readonly Lane[];
  private readonly abort = new AbortController();
  private readonly batches = new Set<ConsumerMessages>();
  private pulling: Promise<void> = Promise.resolve();
  private stopReporters: Array<() => void> = [];
  private stopped?: Promise<void>;

  constructor(private readonly config: JetStreamConsumptionConfig) {
    this.lanes = config.lanes.map((lane) => ({ ...lane, gate: new ConcurrencyGate(lane.concurrency) }));
  }

  start(): void {
    const { metrics, logger, pendingRefreshMs } = this.config.settings;
    if (metrics) {
      this.stopReporters = this.lanes.map((lane) =>
        startPendingReporter(lane.consumer, lane.consumerName, { metrics, logger, intervalMs: pendingRefreshMs }),
      );
    }
    this.pulling = Promise.all(this.lanes.map((lane) => this.pullLoop(lane))).then(() => undefined);
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  /**
   * Stops pulling at once without waiting for handlers (used when the bus closes). A message
   * the server was already sending to a closed pull comes back to someone after ack_wait.
   */
  halt(): void {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    for (const stopReporter of this.stopReporters) stopReporter();
    for (const batch of this.batches) void batch.close();
  }

  private async shutdown(): Promise<void> {
    this.halt();
    await this.pulling;
    // Every pull reservation and every running handler holds a slot.
    await Promise.all(this.lanes.map((lane) => lane.gate.whenIdle()));
    this.config.onStopped(this);
  }

  private async pullLoop(lane: Lane): Promise<void> {
    const { gate } = lane;
    while (await gate.waitForFree(this.abort.signal)) {
      const reserved = gate.free;
      gate.tryAcquire(reserved);
      this.spawn(this.pullBatch(lane, reserved));
    }
  }

  private async pullBatch(lane: Lane, reserved: number): Promise<void> {
    let received = 0;
    try {
      const batch = await lane.consumer.fetch({ max_messages: reserved, expires: PULL_EXPIRES_MS });
      this.batches.add(batch);
      if (this.abort.signal.aborted) void batch.close();
      try {
        for await (const msg of batch) {
          received += 1;
          this.spawn(this.deliver(lane.gate, msg));
        }
      } finally {
        this.batches.delete(batch);
      }
    } catch (error) {
      this.config.settings.logger.warn(
        { err: error, consumer: lane.consumerName },
        'pulling commands failed, retrying',
      );
      await abortableDelay(PULL_RETRY_MS, this.abort.signal);
    } finally {
      lane.gate.release(reserved - received);
    }
  }

  private async deliver(gate: ConcurrencyGate, msg: JsMsg): Promise<void> {
    try {
      // Stopping: hand it straight back so another worker gets it without waiting for ack_wait.
      if (this.abort.signal.aborted) return this.settle('nak', () => msg.nak());
      const message = decodeRoutedCommand(msg.data);
      if (message === undefined) return this.deadLetterUnreadable(msg);
      await this.handle(message, msg);
    } finally {
      gate.release();
    }
  }

  private async handle(message: RoutedCommand, msg: JsMsg): Promise<void> {
    const deliveryCount = msg.info.deliveryCount;
    const context: CommandContext = {
      deliveryCount,
      working: () => this.settle('working', () => msg.working()),
      signal: this.abort.signal,
    };
    try {
      await this.config.handler(message, context);
    } catch (error) {
      this.onFailure(message, msg, deliveryCount, error);
      return;
    }
    this.settle('ack', () => msg.ack());
  }

  private onFailure(message: RoutedCommand, msg: JsMsg, deliveryCount: number, error: unknown): void {
    const { settings } = this.config;
    const outcome = decideFailure(error, deliveryCount, settings.maxDeliver, settings.retryDelayMs);
    const { command, target } = message;
    if (outcome.kind === 'retry') {
      settings.logger.warn(
        { commandType: command.type, commandId: command.metadata.commandId, deliveryCount, err: error },
        'command failed, will be redelivered',
      );
      this.settle('nak', () => msg.nak(outcome.delayMs));
      return;
    }
    // No reason text: servers before 2.10.4 ignore a `+TERM <reason>` and redeliver.
    this.settle('term', () => msg.term());
    reportDeadLetter(settings, {
      commandType: command.type,
      commandId: command.metadata.commandId,
      target,
      deliveryCount,
      reason: outcome.reason,
      error,
    });
  }

  private deadLetterUnreadable(msg: JsMsg): void {
    this.settle('term', () => msg.term());
    reportDeadLetter(this.config.settings, {
      commandType: 'unknown',
      subject: msg.subject,
      deliveryCount: msg.info.deliveryCount,
      reason: 'unparseable',
    });
  }

  /** Acks travel on a connection that may be gone; the server then redelivers after ack_wait. */
  private settle(action: string, send: () => void): void {
    try {
      send();
    } catch (error) {
      this.config.settings.logger.warn({ err: error, action }, 'could not settle a command message');
    }
  }

  private spawn(task: Promise<void>): void {
    task.catch((error: unknown) =>
      this.config.settings.logger.error({ err: error }, 'command consumption task failed'),
    );
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
