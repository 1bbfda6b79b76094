import {
  type JetStreamClient,
  type JetStreamManager,
  type MsgRequest,
  type StoredMsg,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type NatsConnection, type Subscription, connect } from '@nats-io/transport-node';
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
import { commandSubject, decodeRoutedCommand, encodeRoutedCommand } from './command-codec.js';
import { ConnectionWatch } from './connection-watch.js';
import { totalConcurrency } from '../lanes.js';
import { JetStreamConsumption } from './jetstream-consumption.js';
import {
  type JetStreamCommandBusOptions,
  type JetStreamSettings,
  resolveJetStreamOptions,
} from './jetstream-options.js';
import { ensureCommandTopology } from './jetstream-topology.js';
import { watchMaxDeliveries } from './max-deliveries-watch.js';

/** Reconnect for as long as the process lives: workers and the API outlast NATS restarts. */
const RECONNECT_FOREVER = -1;
const RECONNECT_WAIT_MS = 1000;
/** Notices a silently dead TCP link within ~30 s instead of the client's default minutes. */
const PING_INTERVAL_MS = 10_000;

/**
 * The distributed mode's bus. Commands are JetStream messages on one subject per target
 * and type, deduplicated by commandId (Nats-Msg-Id) within the stream's duplicate window,
 * and consumed by every worker through one durable pull consumer.
 */
export class JetStreamCommandBus implements CommandBus {
  readonly kind = 'jetstream';
  private readonly js: JetStreamClient;
  private readonly watch: ConnectionWatch;
  private readonly consumptions = new Set<JetStreamConsumption>();
  /** Only processes that consume watch for commands the server gave up on. */
  private deadLetterWatch: Subscription | null = null;
  private closing?: Promise<void>;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly settings: JetStreamSettings,
  ) {
    this.js = jsm.jetstream();
    this.watch = new ConnectionWatch(nc, settings.logger);
  }

  /** Connects and ensures the stream and durable consumer; rejects with CommandBusUnavailableError. */
  static async connect(options: JetStreamCommandBusOptions): Promise<JetStreamCommandBus> {
    const settings = resolveJetStreamOptions(options);
    const nc = await connect({
      servers: settings.servers,
      name: 'command-bus',
      maxReconnectAttempts: RECONNECT_FOREVER,
      reconnectTimeWait: RECONNECT_WAIT_MS,
      pingInterval: PING_INTERVAL_MS,
      timeout: settings.publishTimeoutMs,
    }).catch((error: unknown) => {
      throw unavailable(`cannot connect to NATS at ${settings.servers.join(',')}`, error);
    });
    try {
      const jsm = await jetstreamManager(nc, { timeout: settings.publishTimeoutMs });
      await ensureCommandTopology(jsm, settings);
      return new JetStreamCommandBus(nc, jsm, settings);
    } catch (error) {
      await nc.close();
      throw unavailable(`cannot set up JetStream stream ${settings.streamName}`, error);
    }
  }

  async send(message: RoutedCommand): Promise<SendResult> {
    const { command } = message;
    const subject = commandSubject(this.settings.subjectPrefix, message.target, command.type);
    this.assertConnected();
    try {
      const ack = await this.js.publish(subject, encodeRoutedCommand(message), {
        msgID: command.metadata.commandId,
        timeout: this.settings.publishTimeoutMs,
      });
      return { duplicate: ack.duplicate };
    } catch (error) {
      throw unavailable(`JetStream did not accept command ${command.type}`, error);
    }
  }

  /**
   * Answers from the stream itself, so it holds for as long as the stream retains commands
   * (max_age): the first message of the subject at or after sequence 1.
   */
  async firstAccepted(target: CommandTarget, type: string): Promise<RoutedCommand | null> {
    const subject = commandSubject(this.settings.subjectPrefix, target, type);
    this.assertConnected();
    let first: StoredMsg | null;
    try {
      // The server takes `next_by_subj` on a plain MSG.GET; the client's type only lists seq and last_by_subj.
      const query = { seq: 1, next_by_subj: subject } as MsgRequest;
      first = await this.jsm.streams.getMessage(this.settings.streamName, query);
    } catch (error) {
      throw unavailable(`cannot read stream ${this.settings.streamName}`, error);
    }
    return first === null ? null : (decodeRoutedCommand(first.data) ?? null);
  }

  async consume(handler: CommandHandler, options: ConsumeOptions): Promise<CommandConsumption> {
    this.assertConnected();
    const { streamName, consumerName } = this.settings;
    const consumer = await this.js.consumers.get(streamName, consumerName).catch((error: unknown) => {
      throw unavailable(`cannot bind to consumer ${consumerName} of ${streamName}`, error);
    });
    this.assertConnected();
    const consumption = new JetStreamConsumption({
      consumer,
      handler,
      // One shared consumer cannot choose which command it is handed next: lanes only add their slots here.
      concurrency: totalConcurrency(options),
      settings: this.settings,
      onStopped: (stopped) => this.consumptions.delete(stopped),
    });
    this.consumptions.add(consumption);
    this.deadLetterWatch ??= watchMaxDeliveries(this.nc, this.jsm, this.settings);
    consumption.start();
    return consumption;
  }

  async ping(): Promise<void> {
    this.assertConnected();
    try {
      await this.jsm.streams.info(this.settings.streamName);
    } catch (error) {
      throw unavailable(`stream ${this.settings.streamName} is not reachable`, error);
    }
  }

  /**
   * Stops pulling and closes the connection. It does not wait for running handlers (stop
   * the consumption first for that): their commands are redelivered after ack_wait.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const consumption of this.consumptions) consumption.halt();
    this.consumptions.clear();
    this.deadLetterWatch?.unsubscribe();
    if (this.nc.isClosed()) return;
    // Draining flushes pending acks, but a flush never completes while disconnected.
    if (this.watch.isConnected) {
      await withTimeout(this.nc.drain(), this.settings.publishTimeoutMs).catch((error: unknown) =>
        this.settings.logger.warn({ err: error }, 'draining the NATS connection failed, closing it'),
      );
    }
    if (!this.nc.isClosed()) await this.nc.close();
    await this.watch.done;
  }

  private assertConnected(): void {
    if (this.closing !== undefined || this.nc.isClosed()) {
      throw new CommandBusUnavailableError('the JetStream command bus is closed');
    }
    if (!this.watch.isConnected) {
      throw new CommandBusUnavailableError('the NATS connection is down, reconnecting');
    }
  }
}

function unavailable(message: string, cause: unknown): CommandBusUnavailableError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new CommandBusUnavailableError(`${message}: ${reason}`, { cause });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
