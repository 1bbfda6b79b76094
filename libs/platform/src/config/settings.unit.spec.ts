import { describe, expect, it } from '@jest/globals';
import { InvalidSettingsError, isEmbedded, loadSettings } from './settings.js';

describe('loadSettings', () => {
  it('gives the seed defaults with an empty environment', () => {
    const s = loadSettings({});
    expect(s).toMatchObject({
      PORT: 8000,
      SSE_KEEPALIVE_INTERVAL: 30,
      MAX_CONCURRENT_STREAMS: 1000,
      EVENT_STORE: 'sqlite',
      ENABLE_SSE_STREAMING: true,
    });
    expect(isEmbedded(s)).toBe(true);
  });

  it('names the variable and the reason of a bad value', () => {
    expect(() => loadSettings({ SSE_KEEPALIVE_INTERVAL: 'often' })).toThrow(/SSE_KEEPALIVE_INTERVAL: must be a number/);
    expect(() => loadSettings({ ENABLE_WEBSOCKET: 'maybe' })).toThrow(/ENABLE_WEBSOCKET: must be true or false/);
    expect(() => loadSettings({ EVENT_STORE: 'postgres' })).toThrow(
      /DATABASE_URL: is required when EVENT_STORE=postgres/,
    );
  });

  it('gives the operations settings their defaults and checks them', () => {
    expect(loadSettings({})).toMatchObject({ METRICS_PORT: 9464, SHUTDOWN_TIMEOUT_MS: 10000 });
    expect(loadSettings({ METRICS_PORT: '0' }).METRICS_PORT).toBe(0);
    expect(() => loadSettings({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
    expect(() => loadSettings({ SHUTDOWN_TIMEOUT_MS: 'soon' })).toThrow(/SHUTDOWN_TIMEOUT_MS: must be a number/);
  });

  it('takes a range for METRICS_PORT, so a second worker on the host finds a port', () => {
    expect(loadSettings({ METRICS_PORT: '9464-9474' }).METRICS_PORT).toEqual({ first: 9464, last: 9474 });
    expect(loadSettings({ METRICS_PORT: ' 9500 - 9500 ' }).METRICS_PORT).toEqual({ first: 9500, last: 9500 });
    for (const bad of ['9474-9464', '0-10', '9464-70000', '1-2000', 'ninety', '9464,9465', '-1'])
      expect(() => loadSettings({ METRICS_PORT: bad })).toThrow(/METRICS_PORT: must be a port .* or a range/);
  });

  it('takes MQTT_URL as an mqtt(s) or ws(s) URL, and a topic prefix of plain levels', () => {
    expect(loadSettings({}).MQTT_URL).toBeUndefined();
    expect(loadSettings({}).MQTT_TOPIC_PREFIX).toBe('cidadao');
    expect(loadSettings({ MQTT_URL: 'mqtt://127.0.0.1:1883' }).MQTT_URL).toBe('mqtt://127.0.0.1:1883');
    expect(loadSettings({ MQTT_TOPIC_PREFIX: 'city/sp-01' }).MQTT_TOPIC_PREFIX).toBe('city/sp-01');
    for (const bad of ['127.0.0.1:1883', 'http://broker:1883', 'tcp://broker'])
      expect(() => loadSettings({ MQTT_URL: bad })).toThrow(/MQTT_URL: must/);
    for (const bad of ['a/+', '#', '/cidadao', 'cidadao/', 'a b', '$SYS'])
      expect(() => loadSettings({ MQTT_TOPIC_PREFIX: bad })).toThrow(/MQTT_TOPIC_PREFIX: must be topic levels/);
  });

  it('retries webhooks for 24 hours at least', () => {
    expect(loadSettings({}).WEBHOOK_RETRY_HOURS).toBe(24);
    expect(() => loadSettings({ WEBHOOK_RETRY_HOURS: '23' })).toThrow(/WEBHOOK_RETRY_HOURS/);
    expect(() => loadSettings({ WEBHOOK_TIMEOUT_MS: 'soon' })).toThrow(/WEBHOOK_TIMEOUT_MS: must be a number/);
    expect(loadSettings({}).WEBHOOK_ALLOWED_NETWORKS).toEqual([]);
    expect(loadSettings({ WEBHOOK_ALLOWED_NETWORKS: ' 10.0.0.0/8, ::1 ,' }).WEBHOOK_ALLOWED_NETWORKS).toEqual([
      '10.0.0.0/8',
      '::1',
    ]);
    expect(() => loadSettings({ WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/33' })).toThrow(
      /WEBHOOK_ALLOWED_NETWORKS: .*10\.0\.0\.0\/33: the prefix must be 0 to 32/,
    );
    expect(() => loadSettings({ WEBHOOK_ALLOWED_NETWORKS: 'intranet' })).toThrow(
      /WEBHOOK_ALLOWED_NETWORKS: .*intranet: not an IP address or subnet/,
    );
  });

  it('refuses an embedded store in distributed mode', () => {
    expect(() => loadSettings({ NATS_URL: 'nats://127.0.0.1:4222' })).toThrow(InvalidSettingsError);
    expect(() =>
      loadSettings({
        NATS_URL: 'nats://127.0.0.1:4222',
        EVENT_STORE: 'kurrentdb',
        KURRENTDB_URL: 'kurrentdb://k:2113?tls=false',
      }),
    ).toThrow(/DATABASE_URL: is required with NATS_URL and EVENT_STORE=kurrentdb/);
    expect(
      isEmbedded(
        loadSettings({ NATS_URL: 'nats://127.0.0.1:4222', EVENT_STORE: 'postgres', DATABASE_URL: 'postgres://x@h/db' }),
      ),
    ).toBe(false);
  });

  it('reads TRUST_PROXY as nobody, everyone, a hop count or proxy addresses, and refuses anything else', () => {
    expect(loadSettings({}).TRUST_PROXY).toEqual({ kind: 'none' });
    expect(loadSettings({ TRUST_PROXY: 'false' }).TRUST_PROXY).toEqual({ kind: 'none' });
    expect(loadSettings({ TRUST_PROXY: 'true' }).TRUST_PROXY).toEqual({ kind: 'all' });
    expect(loadSettings({ TRUST_PROXY: '2' }).TRUST_PROXY).toEqual({ kind: 'hops', hops: 2 });
    expect(loadSettings({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toEqual({
      kind: 'addresses',
      addresses: ['loopback', '10.0.0.0/8'],
    });
    expect(() => loadSettings({ TRUST_PROXY: 'the load balancer' })).toThrow(
      /TRUST_PROXY: must be true, false, a hop count or proxy addresses/,
    );
    expect(() => loadSettings({ TRUST_PROXY: '10.0.0.0/99' })).toThrow(/TRUST_PROXY/);
  });

  it('reads CORS_ORIGINS as none, any or a list of origins, and names a bad one', () => {
    expect(loadSettings({}).CORS_ORIGINS).toEqual({ kind: 'none' });
    expect(loadSettings({ CORS_ORIGINS: '*' }).CORS_ORIGINS).toEqual({ kind: 'any' });
    expect(loadSettings({ CORS_ORIGINS: 'https://painel.example, http://localhost:5173/' }).CORS_ORIGINS).toEqual({
      kind: 'list',
      origins: new Set(['https://painel.example', 'http://localhost:5173']),
    });
    expect(() => loadSettings({ CORS_ORIGINS: 'painel.example' })).toThrow(
      /CORS_ORIGINS: "painel.example" is not an origin/,
    );
    expect(() => loadSettings({ CORS_ORIGINS: 'https://painel.example/app' })).toThrow(/CORS_ORIGINS/);
  });

  it('takes the dashboard OIDC provider as issuer and client id together, and names the one missing', () => {
    const oidc = loadSettings({ OIDC_ISSUER: 'https://idp.example/realms/c', OIDC_CLIENT_ID: 'painel' });
    expect([oidc.OIDC_ISSUER, oidc.OIDC_CLIENT_ID, oidc.OIDC_SCOPE]).toEqual([
      'https://idp.example/realms/c',
      'painel',
      'openid profile',
    ]);
    expect(() => loadSettings({ OIDC_ISSUER: 'https://idp.example/realms/c' })).toThrow(/OIDC_CLIENT_ID: is required/);
    expect(() => loadSettings({ OIDC_CLIENT_ID: 'painel' })).toThrow(/OIDC_ISSUER: is required/);
  });
});
