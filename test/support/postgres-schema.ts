import { randomUUID } from 'node:crypto';
import pg from 'pg';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A PostgreSQL schema of one test's own on this machine's server, and a connection to it. */
export interface PostgresSchema {
  readonly schema: string;
  /** The settings that put an app's event store and read models in this schema. */
  readonly env: Readonly<Record<string, string>>;
  /** `name` as a qualified, quoted table name of this schema. */
  table(name: string): string;
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** Drops the schema and closes the connection. */
  dispose(): Promise<void>;
}

export async function postgresSchema(prefix: string): Promise<PostgresSchema> {
  const schema = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  return {
    schema,
    env: { EVENT_STORE: 'postgres', DATABASE_URL, DATABASE_SCHEMA: schema },
    table: (name) => `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(name)}`,
    query: (sql, params = []) => client.query(sql, params),
    dispose: async () => {
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
