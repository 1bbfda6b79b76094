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
  CommandLaneRoute,
  CommandTarget,
  ConsumeOptions,
  RoutedCommand,
  SendResult,
} from '../command-bus.port.js';
import { commandSubject, decodeRoutedCommand, encodeRoutedCommand } from './command-codec.js';
import { ConnectionWatch } from './connection-watch.js';
import { JetStreamConsumption, type PulledLane } from './jetstream-consumption.js';
import {
  type JetStreamCommandBusOptions,
  type JetStreamSettings,
  resolveJetStreamOptions,
} from './jetstream-options.js';
import { ensureCommandTopology, ensureLaneConsumers, laneConsumers } from './jetstream-topology.js';
import { laneOf, laneRoutes, sameRoutes } from './lane-routes.js';
import { watchMaxDeliveries } from './max-deliveries-watch.js';

/** Reconnect for as long as the process lives: workers and the API outlast NATS restarts. */
const RECONNECT_FOREVER = -1;
const RECONNECT_WAIT_MS = 1000;
/** Notices a silently dead TCP link within ~30 s instead of the client's default minutes. */
const PING_INTERVAL_MS = 10_000;

/**
 * The distributed mode's bus. Commands are JetStream messages on one subject per target
 * and type, deduplicated by commandId (Nats-Msg-Id) within the stream's duplicate window,
 * and consumed by every worker through one durable pull consumer per lane: a lane whose
 * slots are all taken leaves the others pulling. The lanes are those of the first
 * consume(); from then on this bus also publishes their types on their lanes' subjects (a
 * process that consumes none, like the api, publishes every type on the default lane's,
 * where the default consumer takes it).
 */
export class JetStreamCommandBus implements CommandBus {
  readonly kind = 'jetstream';
  private readonly js: JetStreamClient;
  private readonly watch: ConnectionWatch;
  private readonly consumptions = new Set<JetStreamConsumption>();
  /** The lanes the first consume() ensured; send() routes by them once they are set. */
  private routes: readonly CommandLaneRoute[] = [];
  private routing?: Promise<readonly CommandLaneRoute[]>;
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

  /** Connects and ensures the stream and durable consumers; rejects with CommandBusUnavailableError. */
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
    const lane = laneOf(this.routes, command.type);
    const subject = commandSubject(this.settings.subjectPrefix, message.target, command.type, lane);
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
   * (max_age): the first message of the subject at or after sequence 1. For a type in a lane,
   * the subject it had before lanes existed comes first, as everything on it is older.
   */
  async firstAccepted(target: CommandTarget, type: string): Promise<RoutedCommand | null> {
    const { subjectPrefix } = this.settings;
    const unrouted = commandSubject(subjectPrefix, target, type);
    const lane = laneOf(this.routes, type);
    this.assertConnected();
    const first = await this.firstOn(unrouted);
    if (first !== null || lane === undefined) return first;
    return this.firstOn(commandSubject(subjectPrefix, target, type, lane));
  }

  async consume(handler: CommandHandler, options: ConsumeOptions): Promise<CommandConsumption> {
    this.assertConnected();
    const { streamName } = this.settings;
    const routes = await this.route(laneRoutes(options));
    const slots = new Map((options.lanes ?? []).map((lane) => [lane.name, lane.concurrency]));
    const lanes = await Promise.all(
      laneConsumers(this.settings, routes).map(async ({ durableName, lane }): Promise<PulledLane> => {
        const consumer = await this.js.consumers.get(streamName, durableName).catch((error: unknown) => {
          throw unavailable(`cannot bind to consumer ${durableName} of ${streamName}`, error);
        });
        const concurrency = lane === undefined ? options.concurrency : (slots.get(lane) ?? 0);
        return { consumer, consumerName: durableName, concurrency };
      }),
    );
    this.assertConnected();
    const consumption = new JetStreamConsumption({
      lanes,
      handler,
      settings: this.settings,
      onStopped: (stopped) => this.consumptions.delete(stopped),
    });
    this.consumptions.add(consumption);
    this.deadLetterWatch ??= watchMaxDeliveries(this.nc, this.jsm, this.settings, routes);
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

  /**
   * Ensures the lanes' consumers once, then routes their types; every later consume() must
   * run the same lanes, or a lane would have a consumer nobody pulls from.
   */
  private async route(routes: readonly CommandLaneRoute[]): Promise<readonly CommandLaneRoute[]> {
    this.routing ??= ensureLaneConsumers(this.jsm, this.settings, routes).then(
      () => (this.routes = routes),
      (error: unknown) => {
        this.routing = undefined;
        throw unavailable(`cannot set up the lanes' consumers of ${this.settings.streamName}`, error);
      },
    );
    const routed = await this.routing;
    if (!sameRoutes(routed, routes)) {
      throw new RangeError(
        `this bus already consumes the lanes ${JSON.stringify(routed)}, not ${JSON.stringify(routes)}`,
      );
    }
    return routed;
  }

  private async firstOn(subject: string): Promise<RoutedCommand | null> {
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
