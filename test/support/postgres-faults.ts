import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { waitUntil } from './wait-until.js';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Runs `work` on a connection of its own to the machine's test database, then closes it. */
export async function withAdmin<T>(
  work: (client: pg.Client) => Promise<T>,
  connectionString = DATABASE_URL,
): Promise<T> {
  const client = new pg.Client({ connectionString, application_name: 'test-admin' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Which backends a fault hits: those of some application names, or every one of a database (but some applications'). */
export type BackendFilter =
  | { readonly applicationNames: readonly string[] }
  | { readonly database: string; readonly sparing?: readonly string[] };

/** pg_terminate_backend on every matching backend except the caller's; how many it ended. */
export async function terminateBackends(target: BackendFilter): Promise<number> {
  return withAdmin(async (admin) => {
    const { rows } =
      'database' in target
        ? await admin.query<{ ended: boolean }>(
            'SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND NOT (application_name = ANY($2))',
            [target.database, target.sparing ?? []],
          )
        : await admin.query<{ ended: boolean }>(
            'SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = ANY($1) AND pid <> pg_backend_pid()',
            [target.applicationNames],
          );
    return rows.filter((row) => row.ended).length;
  });
}

/** Waits until `count` matching backends are blocked on a lock (an advisory lock the test holds). */
export async function waitForLockWaiters(target: BackendFilter, count: number): Promise<void> {
  await waitUntil(
    () =>
      withAdmin(async (admin) => {
        const { rows } =
          'database' in target
            ? await admin.query<{ n: string }>(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
                [target.database],
              )
            : await admin.query<{ n: string }>(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ANY($1) AND wait_event_type = 'Lock'",
                [target.applicationNames],
              );
        return Number(rows[0]?.n ?? 0) >= count ? true : undefined;
      }),
    `${count} backends waiting on a lock`,
  );
}

/**
 * Holds a session advisory lock on a connection of its own, so appends that need it block
 * (checked out, mid-transaction) until `release`.
 */
export const LOCK_HOLDER = 'test-lock-holder';

export async function holdAdvisoryLock(
  key: string,
  connectionString = DATABASE_URL,
): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString, application_name: LOCK_HOLDER });
  await client.connect();
  await client.query('SELECT pg_advisory_lock($1::bigint)', [key]);
  return {
    release: async () => {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
      await client.end();
    },
  };
}

export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  /** ALLOW_CONNECTIONS false and every backend terminated: new connections are refused until `accept`. */
  refuse(): Promise<void>;
  accept(): Promise<void>;
  drop(): Promise<void>;
}

/** A database of its own, so refusing or terminating its connections touches nothing else. */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const quoted = pg.escapeIdentifier(name);
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${quoted}`));
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    refuse: async () => {
      await withAdmin((admin) => admin.query(`ALTER DATABASE ${quoted} ALLOW_CONNECTIONS false`));
      // A connection whose startup was under way during the ALTER can still complete: terminate until none is left.
      await waitUntil(
        async () => ((await terminateBackends({ database: name })) === 0 ? true : undefined),
        `every connection to ${name} to end`,
      );
    },
    accept: () =>
      withAdmin((admin) => admin.query(`ALTER DATABASE ${quoted} ALLOW_CONNECTIONS true`)).then(() => undefined),
    drop: () =>
      withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`)).then(() => undefined),
  };
}
