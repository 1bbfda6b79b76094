import pg from 'pg';
import type { Observable } from 'rxjs';
import { silentLogger, type Logger } from '../../logging/logger.js';
import {
  assertExpectedRevision,
  CommittedFeed,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
} from '#eventsourcing';
import { PostgresFeedPump } from './postgres-feed-pump.js';
import { PgConnections } from '../../postgres/pg-connections.js';
import {
  migrate,
  postgresNames,
  storeUnavailable,
  toRecorded,
  type EventRow,
  type PostgresNames,
} from './postgres-schema.js';

export interface PostgresEventStoreOptions {
  readonly connectionString: string;
  /** Default 'public'. One schema is one independent store (own table, lock and channel). */
  readonly schema?: string;
  /** Safety-net poll of the live feed, for notifications lost while LISTEN was down. */
  readonly pollIntervalMs?: number;
  readonly logger?: Logger;
}

const EVENT_COLUMNS = 'position, stream_id, revision, type, data, metadata';

/**
 * Store shared by several processes. Every append takes one transaction-scoped advisory
 * lock per schema before it draws positions, so positions become visible in commit order
 * and a reader of "position > X" can never be overtaken by a lower position later.
 */
export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres';
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly connections: PgConnections,
    private readonly names: PostgresNames,
    private readonly feed: CommittedFeed,
    private readonly pump: PostgresFeedPump,
  ) {}

  /**
   * Creates the schema and table when absent (safe when several processes boot at once),
   * then starts the live feed: it runs from here on, whether or not anyone subscribes.
   */
  static async open(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const logger = (options.logger ?? silentLogger).child({ adapter: 'postgres' });
    const names = postgresNames(options.schema ?? 'public');
    const connections = new PgConnections({
      connectionString: options.connectionString,
      applicationName: `event-store-${names.schema}`,
      logger,
      unavailable: storeUnavailable,
    });
    const feed = new CommittedFeed();
    const pump = new PostgresFeedPump({
      connections,
      names,
      feed,
      logger,
      connectionString: options.connectionString,
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
    });
    try {
      await migrate(connections, names);
      await pump.start();
    } catch (error) {
      await pump.stop();
      await connections.end();
      throw error;
    }
    return new PostgresEventStore(connections, names, feed, pump);
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const { table, appendLockKey, channel } = this.names;
    const result = await this.connections.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [appendLockKey]);
      const { rows } = await client.query<{ revision: number; position: string }>(
        `SELECT revision, position FROM ${table} WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1`,
        [streamId],
      );
      const current = rows[0]?.revision ?? 0;
      assertExpectedRevision(streamId, expected, current);
      if (events.length === 0) return { nextRevision: current, lastPosition: Number(rows[0]?.position ?? 0) };
      const lastPosition = await this.insert(client, streamId, current, events);
      await client.query('SELECT pg_notify($1, $2)', [channel, String(lastPosition)]);
      return { nextRevision: current + events.length, lastPosition };
    });
    this.feed.noteCommitted(result.lastPosition);
    return result;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const rows = await this.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.names.table}
       WHERE stream_id = $1 AND revision > $2 ORDER BY revision LIMIT $3`,
      [streamId, options.after ?? 0, options.maxCount ?? null],
    );
    return rows.map(toRecorded);
  }

  async readLastEvent(streamId: string): Promise<RecordedEvent | null> {
    const rows = await this.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.names.table} WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1`,
      [streamId],
    );
    return rows[0] ? toRecorded(rows[0]) : null;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const rows = await this.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.names.table} WHERE position > $1 ORDER BY position LIMIT $2`,
      [options.after ?? 0, options.maxCount ?? null],
    );
    return rows.map(toRecorded);
  }

  async headPosition(): Promise<number> {
    const rows = await this.query<{ head: string | null }>(`SELECT max(position) AS head FROM ${this.names.table}`);
    return Number(rows[0]?.head ?? 0);
  }

  subscribe(): Observable<RecordedEvent> {
    return this.feed.observe();
  }

  async ping(): Promise<void> {
    await this.connections.ping();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.pump.stop();
    this.feed.complete();
    await this.connections.end();
  }

  /** One multi-row INSERT; returns the highest position it drew. */
  private async insert(client: pg.PoolClient, streamId: string, current: number, events: readonly NewEvent[]) {
    const params: unknown[] = [streamId];
    const tuples = events.map((event, index) => {
      params.push(current + index + 1, event.type, JSON.stringify(event.data ?? null), JSON.stringify(event.metadata));
      const n = params.length;
      return `($1, $${n - 3}, $${n - 2}, $${n - 1}::jsonb, $${n}::jsonb)`;
    });
    const { rows } = await client.query<{ position: string }>(
      `INSERT INTO ${this.names.table} (stream_id, revision, type, data, metadata)
       VALUES ${tuples.join(', ')} RETURNING position`,
      params,
    );
    return rows.reduce((highest, row) => Math.max(highest, Number(row.position)), 0);
  }

  private query<Row extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<Row[]> {
    return this.connections.query<Row>(sql, params);
  }
}
