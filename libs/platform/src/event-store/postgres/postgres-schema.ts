import { createHash } from 'node:crypto';
import pg from 'pg';
import { describeError, isConnectionLoss } from '../../postgres/connection-loss.js';
import type { PgConnections } from '../../postgres/pg-connections.js';
import { EventStoreUnavailableError, type EventMetadata, type RecordedEvent } from '#eventsourcing';

/** Names and lock keys derived from one schema, so every process computes the same ones. */
export interface PostgresNames {
  readonly schema: string;
  /** Quoted `schema.events`, safe to splice into SQL. */
  readonly table: string;
  /** NOTIFY channel: passed as a value to pg_notify, quoted for LISTEN. */
  readonly channel: string;
  readonly appendLockKey: string;
  readonly migrationLockKey: string;
}

export interface EventRow {
  readonly position: string;
  readonly stream_id: string;
  readonly revision: number;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** Longer channel names are rejected by pg_notify but silently truncated by LISTEN. */
const MAX_CHANNEL_LENGTH = 63;

export function postgresNames(schema: string): PostgresNames {
  if (!SCHEMA_NAME.test(schema)) throw new RangeError(`invalid postgres schema name: ${schema}`);
  return {
    schema,
    table: `${pg.escapeIdentifier(schema)}.events`,
    channel: channelName(schema),
    appendLockKey: advisoryKey(`event-store:append:${schema}`),
    migrationLockKey: advisoryKey(`event-store:migrate:${schema}`),
  };
}

function channelName(schema: string): string {
  const readable = `event_store_${schema}`;
  if (readable.length <= MAX_CHANNEL_LENGTH) return readable;
  return `event_store_${createHash('sha256').update(schema).digest('hex').slice(0, 40)}`;
}

/** A signed 64-bit key, as text so it survives JavaScript numbers; cast with ::bigint. */
export function advisoryKey(text: string): string {
  return createHash('sha256').update(text).digest().readBigInt64BE(0).toString();
}

/**
 * Idempotent. The advisory lock makes processes that boot together take turns: without
 * it two concurrent `CREATE ... IF NOT EXISTS` can still collide on the catalog.
 */
export async function migrate(connections: PgConnections, names: PostgresNames): Promise<void> {
  await connections.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [names.migrationLockKey]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(names.schema)}`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${names.table} (
        position bigserial PRIMARY KEY,
        stream_id text NOT NULL,
        revision integer NOT NULL,
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (stream_id, revision)
      )`);
  });
}

export function toRecorded(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    revision: row.revision,
    position: Number(row.position),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
  };
}

export const storeUnavailable = (message: string, cause: unknown): EventStoreUnavailableError =>
  new EventStoreUnavailableError(`postgres event store unavailable: ${message}`, { cause });

/** Connection trouble becomes EventStoreUnavailableError; anything else is left as is. */
export function toStoreError(error: unknown): unknown {
  if (error instanceof EventStoreUnavailableError || !isConnectionLoss(error)) return error;
  return storeUnavailable(describeError(error), error);
}
