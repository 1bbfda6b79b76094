import { z } from 'zod';
import { roleMapSetting } from '../auth/role-claims.js';
import { llmPricesSetting } from '../llm/llm-prices.js';
import { addressRangesSetting } from './address-ranges.js';
import { corsOriginsSetting } from './cors-origins.js';
import { pemFileSetting } from './pem-file.js';
import { portChoiceSetting } from './port-range.js';
import { trustProxySetting } from './trust-proxy.js';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
/** Unset stays undefined, so the code can tell "not said" from an explicit false. */
const optionalBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes'));
const wholeNumber = (min: number, max: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(min).max(max);
const int = (fallback: number, min: number, max: number) => wholeNumber(min, max).default(fallback);
/** Comma-separated secrets, each as long as a key must be. */
const secretList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  )
  .refine(
    (items) => items.every((item) => item.length >= 32),
    'must be comma-separated keys of at least 32 characters each',
  );
const url = (protocols: string[]) =>
  z
    .string()
    .url('must be a URL')
    .refine(
      (v) => protocols.some((p) => v.startsWith(`${p}:`)),
      `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    );

/** Every setting, from the seed document and ours; parsed once at boot. */
export const settingsSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: int(8000, 0, 65535),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // seed: streaming features
    ENABLE_SSE_STREAMING: bool(true),
    ENABLE_WEBSOCKET: bool(true),
    STREAMING_COMPRESSION: bool(true),
    STREAMING_COMPRESSION_LEVEL: int(6, 1, 9),
    STREAMING_CHUNK_SIZE: int(8192, 256, 1048576),
    // ours: event streams gzip only where it pays (docs/benchmarks.md, compression)
    STREAMING_COMPRESSION_ADAPTIVE: bool(true),
    /** Event streams whose frames average fewer bytes than this are not worth compressing. */
    STREAMING_COMPRESSION_MIN_FRAME: int(64, 0, 1048576),
    SSE_KEEPALIVE_INTERVAL: int(30, 1, 3600),
    SSE_RETRY_MS: int(3000, 100, 600000),
    WEBSOCKET_PING_INTERVAL: int(30, 1, 3600),
    WEBSOCKET_TIMEOUT: int(300, 1, 86400),
    MAX_CONCURRENT_STREAMS: int(1000, 1, 1000000),
    // ours: the share of MAX_CONCURRENT_STREAMS one client may hold (every transport counts)
    MAX_STREAMS_PER_IP: int(100, 1, 1000000),
    MAX_STREAMS_PER_USER: int(100, 1, 1000000),
    /** Open TCP connections one peer address may hold; unset: twice MAX_STREAMS_PER_IP and 64 more; 0: no cap. Not applied behind TRUST_PROXY. */
    MAX_CONNECTIONS_PER_IP: z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(0)
      .max(10000000)
      .optional(),
    /** Unset: half of MAX_CONCURRENT_STREAMS where tokens are required, the rest kept for callers with one. */
    MAX_ANONYMOUS_STREAMS: z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(0)
      .max(1000000)
      .optional(),
    SSE_BUFFER_SIZE: int(65536, 1024, 67108864),
    /** Streams one multiplexed SSE connection (GET /api/v1/streams) may carry at once. */
    SSE_MAX_STREAMS_PER_CONNECTION: int(20, 1, 1000),
    WEBSOCKET_BUFFER_SIZE: int(131072, 1024, 67108864),
    // ours: permessage-deflate (RFC 7692) for raw WebSocket and Socket.IO, when the client offers it
    WEBSOCKET_PERMESSAGE_DEFLATE: bool(false),
    WEBSOCKET_DEFLATE_WINDOW_BITS: int(13, 9, 15),
    WEBSOCKET_DEFLATE_MEM_LEVEL: int(6, 1, 9),
    WEBSOCKET_DEFLATE_LEVEL: int(6, 1, 9),
    WEBSOCKET_DEFLATE_THRESHOLD: int(64, 0, 67108864),
    WEBSOCKET_DEFLATE_CONCURRENCY: int(10, 1, 1024),
    // ours: infrastructure
    NATS_URL: url(['nats', 'tls', 'ws', 'wss']).optional(),
    EVENT_STORE: z.enum(['sqlite', 'postgres', 'kurrentdb']).default('sqlite'),
    DATA_DIR: z.string().min(1).default('./data'),
    DATABASE_URL: url(['postgres', 'postgresql']).optional(),
    DATABASE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
      .default('public'),
    KURRENTDB_URL: url(['kurrentdb', 'esdb', 'kurrentdb+discover', 'esdb+discover']).optional(),
    NATS_COMMANDS_STREAM: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a JetStream stream name')
      .default('COMMANDS'),
    NATS_COMMANDS_SUBJECT: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be one subject token')
      .default('commands'),
    NATS_COMMANDS_CONSUMER: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a consumer name')
      .default('workers'),
    // ours: downstream feed (docs/events.md); off by default so test and dev workers sharing a
    // NATS server do not all create the EVENTS stream; a deployment turns it on for its workers
    EVENT_RELAY: bool(false),
    NATS_EVENTS_STREAM: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a JetStream stream name')
      .default('EVENTS'),
    NATS_AUDIT_STREAM: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a JetStream stream name')
      .default('AUDIT'),
    NATS_EVENTS_SUBJECT: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be one subject token')
      .default('events'),
    NATS_AUDIT_SUBJECT: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be one subject token')
      .default('audit'),
    // ours: HTTPS with HTTP/2 (and HTTP/1.1 on the same port) when both are set
    TLS_CERT: pemFileSetting('CERTIFICATE').optional(),
    TLS_KEY: pemFileSetting('PRIVATE KEY').optional(),
    // ours: MQTT bridge for devices (docs/mqtt.md); unset, no bridge runs
    MQTT_URL: url(['mqtt', 'mqtts', 'ws', 'wss']).optional(),
    MQTT_TOPIC_PREFIX: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{1,64}(\/[A-Za-z0-9_-]{1,64}){0,7}$/,
        'must be topic levels of letters, digits, _ and -, joined by /',
      )
      .default('cidadao'),
    // ours: webhooks (docs/webhooks.md); registrations are made over the API
    WEBHOOKS_ENABLED: bool(true),
    WEBHOOK_TIMEOUT_MS: int(10000, 100, 120000),
    WEBHOOK_MAX_CONCURRENT: int(16, 1, 1024),
    WEBHOOK_RETRY_MIN_MS: int(5000, 10, 3600000),
    WEBHOOK_RETRY_MAX_MS: int(3600000, 10, 86400000),
    WEBHOOK_RETRY_HOURS: int(24, 24, 720),
    WEBHOOK_PENDING_MAX: int(10000, 10, 10000000),
    WEBHOOK_ALLOWED_NETWORKS: addressRangesSetting,
    RUN_WORKERS: bool(false),
    WORKER_CONCURRENCY: int(8, 1, 1024),
    /**
     * Slots for the commands outside the long-running lane. Such a command mostly waits on the
     * store, and a chat message holds its slot until its whole answer is written: a hundred
     * messages at once must not queue for a few slots.
     */
    WORKER_SHORT_CONCURRENCY: int(128, 1, 1024),
    COMMAND_ACK_WAIT_MS: int(10000, 500, 600000),
    COMMAND_MAX_DELIVER: int(5, 1, 100),
    // ours: investigations
    SYNTHETIC_CONTRACTS: int(2000, 1, 10000000),
    INVESTIGATION_PAGE_SIZE: int(100, 1, 10000),
    INVESTIGATION_STEP_DELAY_MS: int(100, 0, 60000),
    PORTAL_TRANSPARENCIA_API_KEY: z.string().min(1).optional(),
    PORTAL_TRANSPARENCIA_BASE_URL: url(['http', 'https']).default(
      'https://api.portaldatransparencia.gov.br/api-de-dados',
    ),
    // ours: operations
    /** Workers: a port, 0 (any free port), or a range (9464-9474) whose first free port is taken. */
    METRICS_PORT: portChoiceSetting(9464),
    GRAFANA_URL: url(['http', 'https']).optional(),
    SHUTDOWN_TIMEOUT_MS: int(10000, 100, 600000),
    // ours: authentication and limits
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_JWKS_URL: url(['https', 'http']).optional(),
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    /** Seconds a token's exp, nbf and iat may be off by: clocks of the issuer and the servers disagree. */
    JWT_CLOCK_TOLERANCE_SECONDS: int(30, 0, 300),
    /** Claim path of the roles or groups (`groups`, `resource_access.cidadao.roles`, `https://x/roles`). */
    JWT_ROLES_CLAIM: z.string().min(1).optional(),
    JWT_ROLE_MAP: roleMapSetting,
    // The dashboard's sign-in through the provider (authorization code + PKCE); both or neither.
    OIDC_ISSUER: url(['https', 'http']).optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_SCOPE: z.string().min(1).default('openid profile'),
    AUTH_REQUIRED: optionalBool,
    ID_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    // ours: audit chain (docs/events.md): HMAC key, keys it replaced (oldest first), checkpoints
    AUDIT_HMAC_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    AUDIT_HMAC_PREVIOUS_KEYS: secretList.default([]),
    AUDIT_CHECKPOINT_EVERY_RECORDS: int(1000, 1, 100000000),
    AUDIT_CHECKPOINT_INTERVAL_SECONDS: int(60, 1, 86400),
    RATE_LIMIT_PER_MINUTE: int(300, 0, 1000000),
    RATE_LIMIT_PER_MINUTE_IP: int(600, 0, 1000000),
    /** Where the per-minute counters live: unset picks redis with REDIS_URL, postgres across processes, memory in one. */
    RATE_LIMIT_STORE: z.enum(['memory', 'redis', 'postgres']).optional(),
    RATE_LIMIT_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_:-]{1,64}$/, 'must be 1-64 letters, digits, _, : or -')
      .default('cidadao_rl'),
    REDIS_URL: url(['redis', 'rediss']).optional(),
    TRUST_PROXY: trustProxySetting,
    CORS_ORIGINS: corsOriginsSetting,
    MAX_BODY_BYTES: int(1048576, 256, 104857600),
    MAX_BODY_BYTES_IN_FLIGHT: int(67108864, 1024, 68719476736),
    STREAM_IDLE_TIMEOUT: int(300, 0, 86400),
    STREAM_MAX_DURATION: int(3600, 0, 604800),
    // ours: chat and language models
    CHAT_MAX_MESSAGE_LENGTH: int(4000, 1, 100000),
    // ours: /graphql; a query deeper or costlier than these is refused before it runs
    GRAPHQL_MAX_DEPTH: int(8, 2, 64),
    GRAPHQL_MAX_COST: int(2000, 10, 1000000),
    GRAPHQL_MAX_ALIASES: int(30, 0, 10000),
    MARITACA_API_KEY: z.string().min(1).optional(),
    MARITACA_BASE_URL: url(['https', 'http']).default('https://chat.maritaca.ai/api'),
    MARITACA_MODEL: z.string().min(1).default('sabia-3.1'),
    LLM_BASE_URL: url(['https', 'http']).optional(),
    LLM_API_KEY: z.string().min(1).optional(),
    LLM_MODEL: z.string().min(1).optional(),
    LLM_TIMEOUT_MS: int(30000, 100, 600000),
    LLM_PRICES: llmPricesSetting.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.EVENT_STORE === 'postgres' && !s.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required when EVENT_STORE=postgres' });
    }
    if (s.EVENT_STORE === 'kurrentdb' && !s.KURRENTDB_URL) {
      ctx.addIssue({ code: 'custom', path: ['KURRENTDB_URL'], message: 'is required when EVENT_STORE=kurrentdb' });
    }
    if (s.NATS_URL && s.EVENT_STORE === 'kurrentdb' && !s.DATABASE_URL) {
      // Otherwise every process would keep an audit log of its own in its DATA_DIR.
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message:
          'is required with NATS_URL and EVENT_STORE=kurrentdb: the api and the workers share the audit log in PostgreSQL',
      });
    }
    if ((s.OIDC_ISSUER === undefined) !== (s.OIDC_CLIENT_ID === undefined)) {
      const missing = s.OIDC_ISSUER === undefined ? 'OIDC_ISSUER' : 'OIDC_CLIENT_ID';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is required with the other OIDC_ setting' });
    }
    if ((s.TLS_CERT === undefined) !== (s.TLS_KEY === undefined)) {
      const missing = s.TLS_CERT === undefined ? 'TLS_CERT' : 'TLS_KEY';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: 'is required with the other TLS_ setting (both or neither)',
      });
    }
    if (s.RATE_LIMIT_STORE === 'redis' && !s.REDIS_URL) {
      ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'is required when RATE_LIMIT_STORE=redis' });
    }
    if (s.RATE_LIMIT_STORE === 'postgres' && !s.DATABASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required when RATE_LIMIT_STORE=postgres' });
    }
    if (s.AUDIT_HMAC_KEY !== undefined && s.AUDIT_HMAC_PREVIOUS_KEYS.includes(s.AUDIT_HMAC_KEY)) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUDIT_HMAC_PREVIOUS_KEYS'],
        message: 'must not hold the current AUDIT_HMAC_KEY',
      });
    }
    if (s.LLM_BASE_URL && !s.LLM_MODEL) {
      ctx.addIssue({
        code: 'custom',
        path: ['LLM_MODEL'],
        message: 'is required when LLM_BASE_URL is set (the model the server serves)',
      });
    }
    if (s.NATS_URL && s.EVENT_STORE === 'sqlite') {
      ctx.addIssue({
        code: 'custom',
        path: ['EVENT_STORE'],
        message: 'sqlite is embedded-only; with NATS_URL (several processes) use postgres or kurrentdb',
      });
    }
  });

export type Settings = z.infer<typeof settingsSchema>;

export class InvalidSettingsError extends Error {
  override readonly name = 'InvalidSettingsError';
  constructor(readonly problems: string[]) {
    super(`invalid settings:\n  ${problems.join('\n  ')}`);
  }
}

/** Parses the environment once; a bad value names its variable and why. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = settingsSchema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  throw new InvalidSettingsError(parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`));
}

/** Embedded mode runs the workers in the API process, on an in-process bus. */
export const isEmbedded = (s: Settings): boolean => !s.NATS_URL;
