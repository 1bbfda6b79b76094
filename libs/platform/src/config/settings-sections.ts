import { isEmbedded, loadSettings, type Settings } from './settings.js';

/** The process itself: how it runs and where it listens. */
export interface ProcessSettings {
  readonly nodeEnv: Settings['NODE_ENV'];
  readonly logLevel: Settings['LOG_LEVEL'];
  readonly port: number;
  readonly host: string;
  /** No NATS_URL: api and workers in one process on an in-process bus. */
  readonly embedded: boolean;
  readonly runWorkers: boolean;
  readonly shutdownTimeoutMs: number;
}

/** MAX_CONNECTIONS_PER_IP as the HTTP edge applies it. */
function connectionsPerAddress(s: Settings): number | null {
  if (s.TRUST_PROXY.kind !== 'none') return null;
  const cap = s.MAX_CONNECTIONS_PER_IP ?? 2 * s.MAX_STREAMS_PER_IP + 64;
  return cap === 0 ? null : cap;
}

/** The HTTP edge: who the proxies are, which origins may call, bodies and compression. */
export interface HttpSettings {
  readonly trustProxy: Settings['TRUST_PROXY'];
  readonly corsOrigins: Settings['CORS_ORIGINS'];
  readonly maxBodyBytes: number;
  /** Request bodies being read at once, in bytes, across the process (a quarter per address); never below maxBodyBytes. */
  readonly maxBodyBytesInFlight: number;
  /**
   * Open connections one peer address may hold; null: no cap (none set, or behind proxies,
   * TRUST_PROXY, where every client's peer is a proxy).
   */
  readonly maxConnectionsPerAddress: number | null;
  readonly compression: {
    readonly enabled: boolean;
    readonly level: number;
    readonly chunkSize: number;
    /** Event streams: per connection, compress only while it pays (frame sizes, the client's drain rate). */
    readonly adaptive: boolean;
    readonly minFrameBytes: number;
  };
  /** PEM file paths: set, the API serves HTTPS with HTTP/2 and HTTP/1.1 on one port. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
}

/** Long-lived streams on every transport: SSE framing, limits of one stream, the process's quota. */
export interface StreamingSettings {
  readonly sseEnabled: boolean;
  readonly keepaliveSeconds: number;
  readonly retryMs: number;
  readonly sseBufferSize: number;
  /** Streams one multiplexed SSE connection carries at most. */
  readonly maxStreamsPerConnection: number;
  /** 0: no limit. */
  readonly idleSeconds: number;
  readonly maxSeconds: number;
  readonly maxConcurrent: number;
  readonly maxPerAddress: number;
  readonly maxPerUser: number;
  /** Unset: half of maxConcurrent where tokens are required. */
  readonly maxAnonymous: number | undefined;
}

export interface WebSocketSettings {
  readonly enabled: boolean;
  readonly pingIntervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly bufferSize: number;
  /** permessage-deflate, negotiated only with clients that offer it; false: never. */
  readonly deflate: WebSocketDeflateSettings | false;
}

/** The bounds of one connection's permessage-deflate: window, memory, what is worth it, zlib jobs at once. */
export interface WebSocketDeflateSettings {
  readonly windowBits: number;
  readonly memLevel: number;
  readonly level: number;
  /** Messages smaller than this many bytes go uncompressed. */
  readonly threshold: number;
  /** zlib jobs in flight at once across the process's connections. */
  readonly concurrency: number;
}

/** Where events, read models, journals and secrets are kept. */
export interface StorageSettings {
  readonly eventStore: Settings['EVENT_STORE'];
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly databaseSchema: string;
  readonly kurrentdbUrl: string | undefined;
}

export interface JetStreamNames {
  readonly stream: string;
  readonly subject: string;
}

/** NATS: the command bus, and the relay of events and audit records downstream. */
export interface BusSettings {
  readonly natsUrl: string | undefined;
  readonly commands: JetStreamNames & {
    readonly consumer: string;
    readonly ackWaitMs: number;
    readonly maxDeliver: number;
  };
  readonly relay: { readonly enabled: boolean; readonly events: JetStreamNames; readonly audit: JetStreamNames };
}

export interface WorkerSettings {
  /** Long-running commands (an investigation's run) handled at once. */
  readonly concurrency: number;
  /** Every other command handled at once, in slots of its own. */
  readonly shortConcurrency: number;
  readonly pageSize: number;
  readonly stepDelayMs: number;
}

/** Where an investigation's contracts come from. */
export interface ContractSettings {
  readonly portalApiKey: string | undefined;
  readonly portalBaseUrl: string;
  readonly syntheticContracts: number;
}

export interface AuthSettings {
  readonly jwtSecret: string | undefined;
  readonly jwksUrl: string | undefined;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  /** How far a token's times may be off: past exp by this much it is still taken. */
  readonly clockToleranceSeconds: number;
  readonly rolesClaim: string | undefined;
  readonly roleMap: Settings['JWT_ROLE_MAP'];
  /** Unset: required where a key is configured or the deployment is distributed. */
  readonly required: boolean | undefined;
  readonly idSecret: string | undefined;
  /** The dashboard's sign-in through the provider, when configured. */
  readonly oidc: { readonly issuer: string; readonly clientId: string; readonly scope: string } | null;
}

export interface AuditSettings {
  readonly hmacKey: string | undefined;
  readonly previousKeys: readonly string[];
  readonly checkpointEveryRecords: number;
  readonly checkpointIntervalSeconds: number;
}

export interface RateLimitSettings {
  /** 0: no limit. */
  readonly perMinute: number;
  readonly perMinuteIp: number;
  readonly store: Settings['RATE_LIMIT_STORE'];
  readonly keyPrefix: string;
  readonly redisUrl: string | undefined;
}

export interface MetricsSettings {
  readonly port: Settings['METRICS_PORT'];
  readonly grafanaUrl: string | undefined;
}

/** The bridge to an MQTT broker, for devices; no url: no bridge. */
export interface MqttSettings {
  readonly url: string | undefined;
  readonly topicPrefix: string;
}

/** Delivery of events to registered webhooks (docs/webhooks.md). */
export interface WebhookSettings {
  readonly enabled: boolean;
  readonly timeoutMs: number;
  readonly maxConcurrent: number;
  /** Deliveries each webhook holds in memory, the first of its log; the rest wait there. */
  readonly pendingMax: number;
  readonly retry: { readonly minDelayMs: number; readonly maxDelayMs: number; readonly windowMs: number };
  /** Addresses and subnets deliveries may reach besides the public internet (WebhookEgress). */
  readonly allowedNetworks: readonly string[];
}

export interface ChatSettings {
  readonly maxMessageLength: number;
}

/**
 * /graphql: how deep a query may nest fields, what it may cost (fields, times list sizes), and
 * how many fields it may rename (aliases, introspection's included: the one way to ask for the
 * same free introspection again and again in one query).
 */
export interface GraphqlSettings {
  readonly maxDepth: number;
  readonly maxCost: number;
  readonly maxAliases: number;
}

export interface LlmSettings {
  readonly timeoutMs: number;
  readonly maritaca: { readonly apiKey: string | undefined; readonly baseUrl: string; readonly model: string };
  /** Any OpenAI-compatible server; a model is required with a base URL. */
  readonly openAi: { readonly baseUrl: string; readonly apiKey: string | undefined; readonly model: string } | null;
  readonly prices: Settings['LLM_PRICES'];
}

/** The settings in sections, one per concern: a module is given the sections it uses, nothing else. */
export interface SettingsSections {
  readonly process: ProcessSettings;
  readonly http: HttpSettings;
  readonly streaming: StreamingSettings;
  readonly websocket: WebSocketSettings;
  readonly storage: StorageSettings;
  readonly bus: BusSettings;
  readonly workers: WorkerSettings;
  readonly contracts: ContractSettings;
  readonly auth: AuthSettings;
  readonly audit: AuditSettings;
  readonly rateLimits: RateLimitSettings;
  readonly metrics: MetricsSettings;
  readonly mqtt: MqttSettings;
  readonly webhooks: WebhookSettings;
  readonly chat: ChatSettings;
  readonly graphql: GraphqlSettings;
  readonly llm: LlmSettings;
}

/** The parsed environment in sections; the one place that reads the variables by name. */
export function sectionsOf(s: Settings): SettingsSections {
  return {
    process: {
      nodeEnv: s.NODE_ENV,
      logLevel: s.LOG_LEVEL,
      port: s.PORT,
      host: s.HOST,
      embedded: isEmbedded(s),
      runWorkers: s.RUN_WORKERS,
      shutdownTimeoutMs: s.SHUTDOWN_TIMEOUT_MS,
    },
    http: {
      trustProxy: s.TRUST_PROXY,
      corsOrigins: s.CORS_ORIGINS,
      maxBodyBytes: s.MAX_BODY_BYTES,
      maxBodyBytesInFlight: Math.max(s.MAX_BODY_BYTES, s.MAX_BODY_BYTES_IN_FLIGHT),
      maxConnectionsPerAddress: connectionsPerAddress(s),
      compression: {
        enabled: s.STREAMING_COMPRESSION,
        level: s.STREAMING_COMPRESSION_LEVEL,
        chunkSize: s.STREAMING_CHUNK_SIZE,
        adaptive: s.STREAMING_COMPRESSION_ADAPTIVE,
        minFrameBytes: s.STREAMING_COMPRESSION_MIN_FRAME,
      },
      tls: s.TLS_CERT && s.TLS_KEY ? { certFile: s.TLS_CERT, keyFile: s.TLS_KEY } : null,
    },
    streaming: {
      sseEnabled: s.ENABLE_SSE_STREAMING,
      keepaliveSeconds: s.SSE_KEEPALIVE_INTERVAL,
      retryMs: s.SSE_RETRY_MS,
      sseBufferSize: s.SSE_BUFFER_SIZE,
      maxStreamsPerConnection: s.SSE_MAX_STREAMS_PER_CONNECTION,
      idleSeconds: s.STREAM_IDLE_TIMEOUT,
      maxSeconds: s.STREAM_MAX_DURATION,
      maxConcurrent: s.MAX_CONCURRENT_STREAMS,
      maxPerAddress: s.MAX_STREAMS_PER_IP,
      maxPerUser: s.MAX_STREAMS_PER_USER,
      maxAnonymous: s.MAX_ANONYMOUS_STREAMS,
    },
    websocket: {
      enabled: s.ENABLE_WEBSOCKET,
      pingIntervalSeconds: s.WEBSOCKET_PING_INTERVAL,
      timeoutSeconds: s.WEBSOCKET_TIMEOUT,
      bufferSize: s.WEBSOCKET_BUFFER_SIZE,
      deflate: s.WEBSOCKET_PERMESSAGE_DEFLATE && {
        windowBits: s.WEBSOCKET_DEFLATE_WINDOW_BITS,
        memLevel: s.WEBSOCKET_DEFLATE_MEM_LEVEL,
        level: s.WEBSOCKET_DEFLATE_LEVEL,
        threshold: s.WEBSOCKET_DEFLATE_THRESHOLD,
        concurrency: s.WEBSOCKET_DEFLATE_CONCURRENCY,
      },
    },
    storage: {
      eventStore: s.EVENT_STORE,
      dataDir: s.DATA_DIR,
      databaseUrl: s.DATABASE_URL,
      databaseSchema: s.DATABASE_SCHEMA,
      kurrentdbUrl: s.KURRENTDB_URL,
    },
    bus: {
      natsUrl: s.NATS_URL,
      commands: {
        stream: s.NATS_COMMANDS_STREAM,
        subject: s.NATS_COMMANDS_SUBJECT,
        consumer: s.NATS_COMMANDS_CONSUMER,
        ackWaitMs: s.COMMAND_ACK_WAIT_MS,
        maxDeliver: s.COMMAND_MAX_DELIVER,
      },
      relay: {
        enabled: s.EVENT_RELAY,
        events: { stream: s.NATS_EVENTS_STREAM, subject: s.NATS_EVENTS_SUBJECT },
        audit: { stream: s.NATS_AUDIT_STREAM, subject: s.NATS_AUDIT_SUBJECT },
      },
    },
    workers: {
      concurrency: s.WORKER_CONCURRENCY,
      shortConcurrency: s.WORKER_SHORT_CONCURRENCY,
      pageSize: s.INVESTIGATION_PAGE_SIZE,
      stepDelayMs: s.INVESTIGATION_STEP_DELAY_MS,
    },
    contracts: {
      portalApiKey: s.PORTAL_TRANSPARENCIA_API_KEY,
      portalBaseUrl: s.PORTAL_TRANSPARENCIA_BASE_URL,
      syntheticContracts: s.SYNTHETIC_CONTRACTS,
    },
    auth: {
      jwtSecret: s.JWT_SECRET,
      jwksUrl: s.JWT_JWKS_URL,
      issuer: s.JWT_ISSUER,
      audience: s.JWT_AUDIENCE,
      clockToleranceSeconds: s.JWT_CLOCK_TOLERANCE_SECONDS,
      rolesClaim: s.JWT_ROLES_CLAIM,
      roleMap: s.JWT_ROLE_MAP,
      required: s.AUTH_REQUIRED,
      idSecret: s.ID_SECRET,
      oidc:
        s.OIDC_ISSUER && s.OIDC_CLIENT_ID
          ? { issuer: s.OIDC_ISSUER, clientId: s.OIDC_CLIENT_ID, scope: s.OIDC_SCOPE }
          : null,
    },
    audit: {
      hmacKey: s.AUDIT_HMAC_KEY,
      previousKeys: s.AUDIT_HMAC_PREVIOUS_KEYS,
      checkpointEveryRecords: s.AUDIT_CHECKPOINT_EVERY_RECORDS,
      checkpointIntervalSeconds: s.AUDIT_CHECKPOINT_INTERVAL_SECONDS,
    },
    rateLimits: {
      perMinute: s.RATE_LIMIT_PER_MINUTE,
      perMinuteIp: s.RATE_LIMIT_PER_MINUTE_IP,
      store: s.RATE_LIMIT_STORE,
      keyPrefix: s.RATE_LIMIT_KEY_PREFIX,
      redisUrl: s.REDIS_URL,
    },
    metrics: { port: s.METRICS_PORT, grafanaUrl: s.GRAFANA_URL },
    mqtt: { url: s.MQTT_URL, topicPrefix: s.MQTT_TOPIC_PREFIX },
    webhooks: {
      enabled: s.WEBHOOKS_ENABLED,
      timeoutMs: s.WEBHOOK_TIMEOUT_MS,
      maxConcurrent: s.WEBHOOK_MAX_CONCURRENT,
      pendingMax: s.WEBHOOK_PENDING_MAX,
      allowedNetworks: s.WEBHOOK_ALLOWED_NETWORKS,
      retry: {
        minDelayMs: s.WEBHOOK_RETRY_MIN_MS,
        maxDelayMs: Math.max(s.WEBHOOK_RETRY_MIN_MS, s.WEBHOOK_RETRY_MAX_MS),
        windowMs: s.WEBHOOK_RETRY_HOURS * 3_600_000,
      },
    },
    chat: { maxMessageLength: s.CHAT_MAX_MESSAGE_LENGTH },
    graphql: { maxDepth: s.GRAPHQL_MAX_DEPTH, maxCost: s.GRAPHQL_MAX_COST, maxAliases: s.GRAPHQL_MAX_ALIASES },
    llm: {
      timeoutMs: s.LLM_TIMEOUT_MS,
      maritaca: { apiKey: s.MARITACA_API_KEY, baseUrl: s.MARITACA_BASE_URL, model: s.MARITACA_MODEL },
      openAi:
        s.LLM_BASE_URL && s.LLM_MODEL ? { baseUrl: s.LLM_BASE_URL, apiKey: s.LLM_API_KEY, model: s.LLM_MODEL } : null,
      prices: s.LLM_PRICES,
    },
  };
}

/** Parses the environment once (a bad value names its variable and why) into sections. */
export const loadSections = (env: NodeJS.ProcessEnv = process.env): SettingsSections => sectionsOf(loadSettings(env));
