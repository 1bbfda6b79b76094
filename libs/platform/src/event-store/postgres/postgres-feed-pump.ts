import pg from 'pg';
import type { Logger } from '../../logging/logger.js';
import { jitteredBackoff } from '../../resilience/backoff.js';
import type { PgConnections } from '../../postgres/pg-connections.js';
import type { CommittedFeed } from '#eventsourcing';
import { toRecorded, toStoreError, type EventRow, type PostgresNames } from './postgres-schema.js';

export interface PostgresFeedPumpOptions {
  readonly connections: PgConnections;
  readonly connectionString: string;
  readonly names: PostgresNames;
  readonly pollIntervalMs: number;
  readonly feed: CommittedFeed;
  readonly logger: Logger;
}

const BATCH_SIZE = 500;
const reconnectDelay = jitteredBackoff({ minMs: 100, maxMs: 5_000 });

/**
 * Moves committed rows into the live feed. NOTIFY makes it prompt; the poll makes it
 * certain, since notifications sent while the LISTEN connection was down are lost.
 * Either one only says "look again": rows are always read after the feed's head, and the
 * append lock guarantees no lower position can still commit behind that head. So a lost
 * connection costs latency, never an event: the LISTEN connection is re-opened with backoff
 * and the first drain after it (or the next poll) reads everything committed meanwhile.
 */
export class PostgresFeedPump {
  private listener: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectAttempts = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly options: PostgresFeedPumpOptions) {}

  async start(): Promise<void> {
    this.options.feed.skipTo(await this.readHead());
    await this.listen();
    this.pollTimer = setInterval(() => this.pump(), this.options.pollIntervalMs);
    this.pollTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    await this.connecting?.catch(() => undefined);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.running;
  }

  /** One drain at a time; a request that arrives during a drain makes it go round again. */
  private pump(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drainWhileAsked().finally(() => {
      this.running = undefined;
    });
  }

  private async drainWhileAsked(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.drain();
      } catch (error) {
        this.options.logger.warn({ err: toStoreError(error) }, 'event store live feed read failed; next poll retries');
        return;
      }
    } while (this.again && !this.stopped);
  }

  private async drain(): Promise<void> {
    const { feed, connections, names } = this.options;
    // Nobody listens: moving the head is enough, and workers avoid reading every event.
    if (!feed.hasSubscribers) {
      const head = await this.readHead();
      if (!feed.hasSubscribers) return feed.skipTo(head);
    }
    for (;;) {
      const rows = await connections.query<EventRow>(
        `SELECT position, stream_id, revision, type, data, metadata FROM ${names.table}
         WHERE position > $1 ORDER BY position LIMIT $2`,
        [feed.head, BATCH_SIZE],
      );
      if (this.stopped) return;
      feed.publish(rows.map(toRecorded));
      if (rows.length < BATCH_SIZE) return;
    }
  }

  private async readHead(): Promise<number> {
    const rows = await this.options.connections.query<{ head: string | null }>(
      `SELECT max(position) AS head FROM ${this.options.names.table}`,
    );
    return Number(rows[0]?.head ?? 0);
  }

  private async listen(): Promise<void> {
    const { connectionString, names, logger } = this.options;
    const client = new pg.Client({
      connectionString,
      application_name: `event-store-listen-${names.schema}`,
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
    });
    client.on('notification', () => this.pump());
    client.on('error', (error) => {
      logger.warn({ err: error }, 'event store LISTEN connection failed');
      void client.end().catch(() => undefined);
    });
    client.on('end', () => this.onListenerEnd(client));
    this.connecting = client
      .connect()
      .then(() => client.query(`LISTEN ${pg.escapeIdentifier(names.channel)}`))
      .then(() => this.adopt(client))
      .catch(async (error: unknown) => {
        await client.end().catch(() => undefined);
        throw toStoreError(error);
      })
      .finally(() => {
        this.connecting = undefined;
      });
    await this.connecting;
  }

  private async adopt(client: pg.Client): Promise<void> {
    if (this.stopped) return client.end();
    this.listener = client;
    if (this.reconnectAttempts > 0) this.options.logger.info({}, 'event store LISTEN connection restored');
    this.reconnectAttempts = 0;
    // Rows committed while nobody was listening have sent no notification that we heard.
    this.pump();
  }

  private onListenerEnd(client: pg.Client): void {
    if (client !== this.listener || this.stopped) return;
    this.listener = undefined;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = reconnectDelay(this.reconnectAttempts);
    this.reconnectAttempts += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.listen().catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'event store LISTEN reconnect failed');
        this.scheduleReconnect();
      });
    }, delay);
    this.reconnectTimer.unref();
  }
}
