import pg from 'pg';
import type { Logger } from '../logging/logger.js';
import { describeError, isConnectionLoss } from './connection-loss.js';

export interface PgConnectionsOptions {
  readonly connectionString: string;
  /** Shown in pg_stat_activity, so an operator (or a test) can find this pool's backends. */
  readonly applicationName: string;
  readonly logger: Logger;
  /** The adapter's own "unavailable" error, for a lost or refused connection. */
  readonly unavailable: (message: string, cause: unknown) => Error;
  readonly max?: number;
}

/**
 * A client taken from the pool. pg-pool listens for a client's 'error' only while it is
 * idle; a checked-out client whose server goes away emits 'error' with nobody listening,
 * which kills the process. A checkout listens for as long as it holds the client, and a
 * client whose connection broke is destroyed on release instead of going back to the pool.
 */
export class PgCheckout {
  private broken: unknown;
  private released = false;
  private readonly onError = (error: unknown): void => {
    this.broken ??= error;
  };

  constructor(
    readonly client: pg.PoolClient,
    private readonly unavailable: PgConnectionsOptions['unavailable'],
  ) {
    client.on('error', this.onError);
  }

  /** The adapter's unavailable error when the connection is what failed, else `error` itself. */
  classify(error: unknown): unknown {
    if (this.broken === undefined && !isConnectionLoss(error)) return error;
    return this.unavailable(`connection lost: ${describeError(error)}`, error);
  }

  /** `failure`: what went wrong while holding the client; a lost connection destroys it. */
  release(failure?: unknown): void {
    if (this.released) return;
    this.released = true;
    this.client.off('error', this.onError);
    const lost = this.broken ?? (failure !== undefined && isConnectionLoss(failure) ? failure : undefined);
    this.client.release(lost === undefined ? undefined : asError(lost));
  }

  /** A client that cannot finish its transaction is unusable whatever the reason: destroy it. */
  discard(reason: unknown): void {
    this.broken ??= reason;
    this.release();
  }
}

/**
 * One pg.Pool and the only ways the adapters use it, so every connection they hold is
 * guarded (see PgCheckout) and every connection failure surfaces as the adapter's
 * "unavailable" error. Connections are opened on demand: after an outage the next query
 * simply opens a new one, there is nothing to re-establish.
 */
export class PgConnections {
  private readonly pool: pg.Pool;

  constructor(private readonly options: PgConnectionsOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      application_name: options.applicationName,
      connectionTimeoutMillis: 10_000,
      // A server that vanished without a FIN is noticed by TCP keepalive, not after hours.
      keepAlive: true,
      ...(options.max === undefined ? {} : { max: options.max }),
    });
    this.pool.on('error', (error) =>
      options.logger.warn({ err: error }, 'idle PostgreSQL connection lost; the next query opens a new one'),
    );
    // Between pg-pool handing a client over (its idle listener removed) and the checkout's
    // listener, a backend terminated during startup can report in the same read as its
    // ReadyForQuery. This listener only keeps that error from being unhandled: the client
    // is unqueryable then, so its first query fails as a lost connection and it is destroyed.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  async checkout(): Promise<PgCheckout> {
    try {
      return new PgCheckout(await this.pool.connect(), this.options.unavailable);
    } catch (error) {
      throw this.options.unavailable(`cannot connect: ${describeError(error)}`, error);
    }
  }

  /**
   * A read-only statement. A pooled connection may have died while idle (a terminated
   * backend whose notice has not been processed yet): a read that lost its connection is
   * tried once more on a fresh one before the caller hears of it.
   */
  async query<Row extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<Row[]> {
    for (let attempt = 1; ; attempt++) {
      const checkout = await this.checkout();
      try {
        const { rows } = await checkout.client.query<Row>(text, values);
        checkout.release();
        return rows;
      } catch (error) {
        checkout.release(error);
        const classified = checkout.classify(error);
        if (attempt > 1 || classified === error) throw classified;
      }
    }
  }

  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const checkout = await this.begin();
    const { client } = checkout;
    try {
      const result = await work(client);
      await client.query('COMMIT');
      checkout.release();
      return result;
    } catch (error) {
      const classified = checkout.classify(error);
      await client.query('ROLLBACK').then(
        () => checkout.release(error),
        (failure: unknown) => checkout.discard(failure),
      );
      throw classified;
    }
  }

  /** A client in a transaction; one whose BEGIN finds the connection dead ran nothing, so a fresh one is tried. */
  private async begin(): Promise<PgCheckout> {
    for (let attempt = 1; ; attempt++) {
      const checkout = await this.checkout();
      try {
        await checkout.client.query('BEGIN');
        return checkout;
      } catch (error) {
        checkout.release(error);
        const classified = checkout.classify(error);
        if (attempt > 1 || classified === error) throw classified;
      }
    }
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(describeError(value));
}
