import type { Logger } from '../../logging/logger.js';
import { silentLogger } from '../../logging/logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import { CommandBusUnavailableError } from '../command-bus.errors.js';
import type {
  CommandBus,
  CommandConsumption,
  CommandHandler,
  CommandTarget,
  ConsumeOptions,
  RoutedCommand,
  SendResult,
} from '../command-bus.port.js';
import {
  DEFAULT_DUPLICATE_WINDOW_MS,
  DEFAULT_MAX_DELIVER,
  type DeadLetterReason,
  type RetryDelay,
  assertMaxDeliver,
  decideFailure,
  defaultRetryDelayMs,
  reportDeadLetter,
} from '../delivery-policy.js';
import { assertRoutable } from '../routing.js';
import type { CommandJournal } from './command-journal.js';
import { ExpiringKeys } from './expiring-keys.js';
import { type Envelope, InProcessConsumption } from './in-process-consumption.js';

export interface InProcessCommandBusOptions {
  readonly maxDeliver?: number;
  readonly duplicateWindowMs?: number;
  readonly retryDelayMs?: RetryDelay;
  readonly metrics?: Metrics;
  readonly logger?: Logger;
  /** Milliseconds since any origin; tests pass their own to cross the duplicate window. */
  readonly clock?: () => number;
  /** Makes accepted commands survive the process (SqliteCommandJournal); none: memory only. */
  readonly journal?: CommandJournal;
}

/**
 * The embedded mode's bus: a FIFO queue in memory with the same delivery rules as the
 * JetStream bus (dedupe by commandId, bounded redelivery, dead letters), so workers behave
 * the same in both modes. With a journal, commands not settled when the process stopped
 * (or was killed) are handed out again when it starts, their deliveries counted.
 */
export class InProcessCommandBus implements CommandBus {
  readonly kind = 'in-process';
  private readonly queue: Envelope[] = [];
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly consumptions = new Set<InProcessConsumption>();
  private readonly commandIds: ExpiringKeys;
  private readonly accepted: ExpiringKeys;
  /** The first command per target and type, for as long as `accepted` remembers the key. */
  private readonly firstByKey = new Map<string, RoutedCommand>();
  private readonly maxDeliver: number;
  private readonly retryDelayMs: RetryDelay;
  private readonly logger: Logger;
  private readonly clock: () => number;
  private closed = false;

  constructor(private readonly options: InProcessCommandBusOptions = {}) {
    this.maxDeliver = options.maxDeliver ?? DEFAULT_MAX_DELIVER;
    assertMaxDeliver(this.maxDeliver);
    const windowMs = options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
    this.commandIds = new ExpiringKeys(windowMs);
    this.accepted = new ExpiringKeys(windowMs);
    this.retryDelayMs = options.retryDelayMs ?? defaultRetryDelayMs;
    this.logger = (options.logger ?? silentLogger).child({ bus: 'in-process' });
    this.clock = options.clock ?? (() => performance.now());
    for (const pending of options.journal?.pending() ?? []) this.restore(pending.message, pending.deliveryCount);
  }

  async send(message: RoutedCommand): Promise<SendResult> {
    assertRoutable(message.target, message.command.type);
    this.assertOpen();
    const now = this.clock();
    if (!this.commandIds.addIfAbsent(message.command.metadata.commandId, now)) {
      return { duplicate: true };
    }
    this.remember(message, now);
    // Durable before send() resolves and before any handler sees it: "accepted" means it
    // survives a crash from here on. Commands accepted in one turn share one commit.
    await this.options.journal?.accept(message);
    this.queue.push({ message, deliveryCount: 1 });
    this.pump();
    return { duplicate: false };
  }

  async firstAccepted(target: CommandTarget, type: string): Promise<RoutedCommand | null> {
    assertRoutable(target, type);
    const key = acceptedKey(target, type);
    if (this.accepted.has(key, this.clock())) return this.firstByKey.get(key) ?? null;
    this.firstByKey.delete(key);
    return null;
  }

  async consume(handler: CommandHandler, options: ConsumeOptions): Promise<CommandConsumption> {
    this.assertOpen();
    const consumption = new InProcessConsumption(handler, options, {
      settled: (envelope, failure) => {
        const { commandId } = envelope.message.command.metadata;
        if (!failure) {
          this.options.journal?.settle(commandId);
        } else {
          // Given up because the worker is stopping: that delivery does not count against the command.
          if (failure.stopping) this.options.journal?.delivering(commandId, envelope.deliveryCount - 1);
          this.onFailure(envelope, failure.error);
        }
        this.pump();
      },
      stopping: (stopped) => this.consumptions.delete(stopped),
    });
    this.consumptions.add(consumption);
    this.pump();
    return consumption;
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  /** Commands accepted and neither acked nor dead-lettered yet (queued, waiting a retry, in flight). */
  outstanding(): number {
    let inFlight = 0;
    for (const consumption of this.consumptions) inFlight += consumption.inFlight;
    return this.queue.length + this.retryTimers.size + inFlight;
  }

  /** Refuses new commands and stops handing out queued ones; handlers still running may finish. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    for (const consumption of [...this.consumptions]) void consumption.stop();
    this.options.journal?.close();
  }

  /** A command from the journal: queued again with the deliveries it already had, or dead-lettered. */
  private restore(message: RoutedCommand, deliveries: number): void {
    const now = this.clock();
    this.commandIds.addIfAbsent(message.command.metadata.commandId, now);
    this.remember(message, now);
    const envelope = { message, deliveryCount: deliveries + 1 };
    if (envelope.deliveryCount > this.maxDeliver)
      return this.deadLetter(
        { ...envelope, deliveryCount: deliveries },
        'max_deliver',
        new Error('the process stopped during every delivery'),
      );
    this.queue.push(envelope);
  }

  /** Keeps the first command of its target and type while the key is remembered; later ones refresh the key only. */
  private remember(message: RoutedCommand, now: number): void {
    const key = acceptedKey(message.target, message.command.type);
    if (!this.accepted.has(key, now)) this.firstByKey.set(key, message);
    this.accepted.touch(key, now);
    // Keys the window forgot leave their first command behind: drop those now and then, so memory stays bounded.
    if (this.firstByKey.size > this.accepted.size * 2) {
      for (const known of this.firstByKey.keys()) if (!this.accepted.has(known, now)) this.firstByKey.delete(known);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new CommandBusUnavailableError('the in-process command bus is closed');
  }

  /**
   * Hands queued commands, oldest first, to consumptions with a free slot in their lane. A
   * command whose lane is full stays queued without holding up other lanes, but holds up the
   * later commands to its own target: each aggregate still gets its commands in order.
   */
  private pump(): void {
    for (const consumption of this.consumptions) {
      const waiting = new HeldTargets();
      for (let i = 0; i < this.queue.length && !consumption.full;) {
        const next = this.queue[i] as Envelope;
        const { target } = next.message;
        if (waiting.has(target) || !consumption.reserve(next.message.command.type)) {
          waiting.add(target);
          i++;
          continue;
        }
        this.queue.splice(i, 1);
        this.options.journal?.delivering(next.message.command.metadata.commandId, next.deliveryCount);
        consumption.dispatch(next);
      }
    }
  }

  private onFailure(envelope: Envelope, error: unknown): void {
    const outcome = decideFailure(error, envelope.deliveryCount, this.maxDeliver, this.retryDelayMs);
    if (outcome.kind === 'dead-letter') return this.deadLetter(envelope, outcome.reason, error);
    if (this.closed) return;
    this.logger.warn(
      { commandType: envelope.message.command.type, deliveryCount: envelope.deliveryCount, err: error },
      'command failed, will be redelivered',
    );
    this.scheduleRetry({ ...envelope, deliveryCount: envelope.deliveryCount + 1 }, outcome.delayMs);
  }

  private deadLetter(envelope: Envelope, reason: DeadLetterReason, error: unknown): void {
    const { command, target } = envelope.message;
    this.options.journal?.settle(command.metadata.commandId);
    reportDeadLetter(
      { logger: this.logger, metrics: this.options.metrics },
      {
        commandType: command.type,
        commandId: command.metadata.commandId,
        target,
        deliveryCount: envelope.deliveryCount,
        reason,
        error,
      },
    );
  }

  private scheduleRetry(envelope: Envelope, delayMs: number): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.queue.push(envelope);
      this.pump();
    }, delayMs);
    this.retryTimers.add(timer);
  }
}

/**
 * The targets one pump holds back, by aggregate then id: a full lane makes pump pass over
 * every queued command, and a key string built and hashed for each of them, each time, was
 * most of its cost.
 */
class HeldTargets {
  private readonly byAggregate = new Map<string, Set<string>>();

  has(target: CommandTarget): boolean {
    return this.byAggregate.get(target.aggregate)?.has(target.id) ?? false;
  }

  add(target: CommandTarget): void {
    const ids = this.byAggregate.get(target.aggregate);
    if (ids) ids.add(target.id);
    else this.byAggregate.set(target.aggregate, new Set([target.id]));
  }
}

function acceptedKey(target: CommandTarget, type: string): string {
  return `${target.aggregate}.${target.id}.${type}`;
}
