import { Redis } from 'ioredis';
import pg from 'pg';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { SettingsSections } from '../config/settings-sections.js';
import type { Logger } from '../logging/logger.js';

export type RateLimitStoreKind = 'memory' | 'redis' | 'postgres';

export type RateVerdict = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/**
 * Per-minute budgets (requests per address, per user), counted where every API process
 * sees the same counters: Redis or PostgreSQL in distributed mode, memory in one process.
 * When the shared store fails, each process falls back to counting on its own (the
 * insurance limiter) rather than refusing everyone or letting everyone through.
 */
export interface RateBudgets {
  readonly kind: RateLimitStoreKind;
  /** Spends one unit of `key`'s budget in `bucket`, which allows `perMinute` a minute. */
  take(bucket: string, key: string, perMinute: number): Promise<RateVerdict>;
  close(): Promise<void>;
}

export type RateBudgetSettings = Pick<SettingsSections, 'rateLimits' | 'process' | 'storage'>;

/** RATE_LIMIT_STORE, or the store a deployment of this shape shares: Redis when REDIS_URL is set, else PostgreSQL across processes. */
export function rateLimitStoreOf({ rateLimits, process, storage }: RateBudgetSettings): RateLimitStoreKind {
  if (rateLimits.store) return rateLimits.store;
  if (rateLimits.redisUrl) return 'redis';
  return !process.embedded && storage.databaseUrl ? 'postgres' : 'memory';
}

const WINDOW_SECONDS = 60;
const TABLE = 'rate_limits';

export async function openRateBudgets(settings: RateBudgetSettings, logger: Logger): Promise<RateBudgets> {
  const kind = rateLimitStoreOf(settings);
  const { keyPrefix: prefix, redisUrl } = settings.rateLimits;
  const { databaseUrl, databaseSchema } = settings.storage;
  const memory = (keyPrefix: string, points: number) =>
    new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_SECONDS });
  if (kind === 'memory')
    return budgets(
      kind,
      async (name, points) => memory(name, points),
      async () => undefined,
    );
  if (kind === 'redis') {
    const redis = new Redis(redisUrl ?? '', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: true,
    });
    redis.on('error', (error: unknown) =>
      logger.warn({ err: error }, 'rate limit store (redis) failed; each process counts on its own meanwhile'),
    );
    await redis
      .connect()
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'rate limit store (redis) unreachable at start; retrying in the background'),
      );
    const create = async (name: string, points: number) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}:${name}`,
        points,
        duration: WINDOW_SECONDS,
        insuranceLimiter: memory(name, points),
      });
    return budgets(kind, create, async () => void (await redis.quit().catch(() => redis.disconnect())));
  }
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 4,
    connectionTimeoutMillis: 2_000,
    application_name: 'rate-limits',
  });
  pool.on('error', (error) => logger.warn({ err: error }, 'rate limit store (postgres) connection failed'));
  pool.on('connect', (client) =>
    client.on('error', (error) => logger.warn({ err: error }, 'rate limit store (postgres) connection failed')),
  );
  await pool
    .query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(databaseSchema)}`)
    .catch((error: unknown) => logger.warn({ err: error }, 'rate limit store (postgres) unreachable at start'));
  // Until its table exists a limiter answers from its insurance alone: wait for it.
  const create = (name: string, points: number) =>
    new Promise<RateLimiterAbstract>((resolve, reject) => {
      const limiter: RateLimiterPostgres = new RateLimiterPostgres(
        {
          storeClient: pool,
          storeType: 'pool',
          schemaName: databaseSchema,
          tableName: TABLE,
          keyPrefix: `${prefix}:${name}`,
          points,
          duration: WINDOW_SECONDS,
          clearExpiredByTimeout: true,
          insuranceLimiter: memory(name, points),
        },
        (error?: unknown) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(limiter),
      );
    });
  return budgets(
    kind,
    create,
    () => pool.end(),
    (name, points, error) => {
      logger.warn({ err: error }, 'rate limit table unreachable; counting in this process until it is back');
      return memory(name, points);
    },
  );
}

type Fallback = (name: string, points: number, error: unknown) => RateLimiterAbstract;

/** Limiters per budget, made on first use; one whose store could not be prepared is made again on the next request. */
function budgets(
  kind: RateLimitStoreKind,
  create: (name: string, points: number) => Promise<RateLimiterAbstract>,
  close: () => Promise<void>,
  fallback?: Fallback,
): RateBudgets {
  const limiters = new Map<string, Promise<RateLimiterAbstract>>();
  const insurance = new Map<string, RateLimiterAbstract>();
  const limiterFor = async (name: string, points: number): Promise<RateLimiterAbstract> => {
    let pending = limiters.get(name);
    if (!pending) {
      pending = create(name, points);
      limiters.set(name, pending);
    }
    try {
      return await pending;
    } catch (error) {
      limiters.delete(name);
      if (!fallback) throw error;
      const local = insurance.get(name) ?? fallback(name, points, error);
      insurance.set(name, local);
      return local;
    }
  };
  return {
    kind,
    take: async (bucket, key, perMinute) => {
      const limiter = await limiterFor(`${bucket}_${perMinute}`, perMinute);
      try {
        await limiter.consume(key);
        return { allowed: true };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterMs: rejection.msBeforeNext };
        throw rejection;
      }
    },
    close,
  };
}
