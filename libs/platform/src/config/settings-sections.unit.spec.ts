import { describe, expect, it } from '@jest/globals';
import { loadSections, type SettingsSections } from './settings-sections.js';

const KEY = 'k'.repeat(32);

/** One variable per section, and what it becomes there. */
const CASES: ReadonlyArray<
  [keyof SettingsSections, Record<string, string>, (s: SettingsSections) => unknown, unknown]
> = [
  ['process', { PORT: '8100' }, (s) => s.process.port, 8100],
  ['http', { MAX_BODY_BYTES: '2048' }, (s) => s.http.maxBodyBytes, 2048],
  ['http', { STREAMING_COMPRESSION_LEVEL: '9' }, (s) => s.http.compression.level, 9],
  ['streaming', { SSE_KEEPALIVE_INTERVAL: '5' }, (s) => s.streaming.keepaliveSeconds, 5],
  ['streaming', { MAX_ANONYMOUS_STREAMS: '7' }, (s) => s.streaming.maxAnonymous, 7],
  ['websocket', { WEBSOCKET_TIMEOUT: '60' }, (s) => s.websocket.timeoutSeconds, 60],
  [
    'websocket',
    { WEBSOCKET_PERMESSAGE_DEFLATE: 'true', WEBSOCKET_DEFLATE_WINDOW_BITS: '11' },
    (s) => s.websocket.deflate,
    { windowBits: 11, memLevel: 6, level: 6, threshold: 64, concurrency: 10 },
  ],
  ['http', { STREAMING_COMPRESSION_MIN_FRAME: '512' }, (s) => s.http.compression.minFrameBytes, 512],
  ['storage', { DATA_DIR: '/srv/cidadao' }, (s) => s.storage.dataDir, '/srv/cidadao'],
  ['bus', { NATS_EVENTS_SUBJECT: 'feed' }, (s) => s.bus.relay.events.subject, 'feed'],
  ['bus', { COMMAND_MAX_DELIVER: '9' }, (s) => s.bus.commands.maxDeliver, 9],
  ['workers', { WORKER_CONCURRENCY: '3' }, (s) => s.workers.concurrency, 3],
  ['workers', { WORKER_CONCURRENCY: '3' }, (s) => s.workers.shortConcurrency, 128],
  ['workers', { WORKER_CONCURRENCY: '3', WORKER_SHORT_CONCURRENCY: '32' }, (s) => s.workers.shortConcurrency, 32],
  ['contracts', { SYNTHETIC_CONTRACTS: '50' }, (s) => s.contracts.syntheticContracts, 50],
  ['auth', { JWT_SECRET: KEY }, (s) => s.auth.jwtSecret, KEY],
  ['auth', { JWT_CLOCK_TOLERANCE_SECONDS: '2' }, (s) => s.auth.clockToleranceSeconds, 2],
  ['audit', { AUDIT_CHECKPOINT_EVERY_RECORDS: '10' }, (s) => s.audit.checkpointEveryRecords, 10],
  ['rateLimits', { RATE_LIMIT_PER_MINUTE_IP: '0' }, (s) => s.rateLimits.perMinuteIp, 0],
  ['metrics', { GRAFANA_URL: 'http://grafana:3000' }, (s) => s.metrics.grafanaUrl, 'http://grafana:3000'],
  ['mqtt', { MQTT_URL: 'mqtt://127.0.0.1:1883' }, (s) => s.mqtt.url, 'mqtt://127.0.0.1:1883'],
  ['mqtt', { MQTT_TOPIC_PREFIX: 'city/sp-01' }, (s) => s.mqtt.topicPrefix, 'city/sp-01'],
  ['webhooks', { WEBHOOK_RETRY_HOURS: '48' }, (s) => s.webhooks.retry.windowMs, 48 * 3_600_000],
  ['webhooks', { WEBHOOK_RETRY_MIN_MS: '9000', WEBHOOK_RETRY_MAX_MS: '10' }, (s) => s.webhooks.retry.maxDelayMs, 9000],
  ['webhooks', { WEBHOOKS_ENABLED: 'false' }, (s) => s.webhooks.enabled, false],
  ['webhooks', { WEBHOOK_PENDING_MAX: '500' }, (s) => s.webhooks.pendingMax, 500],
  ['chat', { CHAT_MAX_MESSAGE_LENGTH: '10' }, (s) => s.chat.maxMessageLength, 10],
  ['graphql', { GRAPHQL_MAX_DEPTH: '4' }, (s) => s.graphql.maxDepth, 4],
  ['graphql', { GRAPHQL_MAX_COST: '500' }, (s) => s.graphql.maxCost, 500],
  ['graphql', { GRAPHQL_MAX_ALIASES: '4' }, (s) => s.graphql.maxAliases, 4],
  ['http', { MAX_BODY_BYTES_IN_FLIGHT: '5000000' }, (s) => s.http.maxBodyBytesInFlight, 5_000_000],
  ['http', { MAX_CONNECTIONS_PER_IP: '500' }, (s) => s.http.maxConnectionsPerAddress, 500],
  ['http', { MAX_CONNECTIONS_PER_IP: '0' }, (s) => s.http.maxConnectionsPerAddress, null],
  ['http', { TRUST_PROXY: '1' }, (s) => s.http.maxConnectionsPerAddress, null],
  [
    'http',
    { MAX_BODY_BYTES: '2000000', MAX_BODY_BYTES_IN_FLIGHT: '5000' },
    (s) => s.http.maxBodyBytesInFlight,
    2_000_000,
  ],
  ['llm', { LLM_TIMEOUT_MS: '1000' }, (s) => s.llm.timeoutMs, 1000],
];

describe('settings sections', () => {
  it('give the seed defaults in their sections', () => {
    const s = loadSections({});
    expect(s.streaming).toMatchObject({ sseEnabled: true, keepaliveSeconds: 30, maxConcurrent: 1000 });
    expect(s.websocket).toEqual({
      enabled: true,
      pingIntervalSeconds: 30,
      timeoutSeconds: 300,
      bufferSize: 131072,
      deflate: false,
    });
    expect(s.process).toMatchObject({ port: 8000, embedded: true, shutdownTimeoutMs: 10000 });
    expect(s.storage).toMatchObject({ eventStore: 'sqlite', dataDir: './data', databaseSchema: 'public' });
    expect([s.auth.oidc, s.llm.openAi]).toEqual([null, null]);
  });

  it.each(CASES)('a changed variable changes exactly its section (%s, %j)', (section, env, read, value) => {
    const base = loadSections({});
    const changed = loadSections(env);
    expect(read(changed)).toEqual(value);
    for (const name of Object.keys(base) as (keyof SettingsSections)[])
      if (name === section) expect(changed[name]).not.toEqual(base[name]);
      else expect(changed[name]).toEqual(base[name]);
  });

  it('groups what is only whole together: the OIDC provider, the OpenAI-compatible server, distributed mode', () => {
    const s = loadSections({
      OIDC_ISSUER: 'https://idp.example/realms/c',
      OIDC_CLIENT_ID: 'painel',
      LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
      LLM_MODEL: 'qwen',
      NATS_URL: 'nats://127.0.0.1:4222',
      EVENT_STORE: 'postgres',
      DATABASE_URL: 'postgres://x@h/db',
    });
    expect(s.auth.oidc).toEqual({
      issuer: 'https://idp.example/realms/c',
      clientId: 'painel',
      scope: 'openid profile',
    });
    expect(s.llm.openAi).toEqual({ baseUrl: 'http://127.0.0.1:11434/v1', apiKey: undefined, model: 'qwen' });
    expect(s.process.embedded).toBe(false);
    expect(s.bus.natsUrl).toBe('nats://127.0.0.1:4222');
  });

  it('caps connections per address at twice the streams it may hold and 64 more, unless behind proxies', () => {
    expect(loadSections({}).http.maxConnectionsPerAddress).toBe(264);
    expect(loadSections({ MAX_STREAMS_PER_IP: '10' }).http.maxConnectionsPerAddress).toBe(84);
    expect(
      loadSections({ TRUST_PROXY: '10.0.0.0/8', MAX_CONNECTIONS_PER_IP: '9' }).http.maxConnectionsPerAddress,
    ).toBeNull();
  });

  it('keeps the messages of a bad value', () => {
    expect(() => loadSections({ WEBSOCKET_TIMEOUT: 'long' })).toThrow(/WEBSOCKET_TIMEOUT: must be a number/);
  });
});
