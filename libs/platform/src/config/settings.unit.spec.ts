import { describe, expect, it } from '@jest/globals';
import { InvalidSettingsError, isEmbedded, loadSettings } from './settings.js';

describe('loadSettings', () => {
  it('gives the seed defaults with an empty environment', () => {
    const s = loadSettings({});
    expect(s).toMatchObject({ PORT: 8000, SSE_KEEPALIVE_INTERVAL: 30, MAX_CONCURRENT_STREAMS: 1000, EVENT_STORE: 'sqlite', ENABLE_SSE_STREAMING: true });
    expect(isEmbedded(s)).toBe(true);
  });

  it('names the variable and the reason of a bad value', () => {
    expect(() => loadSettings({ SSE_KEEPALIVE_INTERVAL: 'often' })).toThrow(/SSE_KEEPALIVE_INTERVAL: must be a number/);
    expect(() => loadSettings({ ENABLE_WEBSOCKET: 'maybe' })).toThrow(/ENABLE_WEBSOCKET: must be true or false/);
    expect(() => loadSettings({ EVENT_STORE: 'postgres' })).toThrow(/DATABASE_URL: is required when EVENT_STORE=postgres/);
  });

  it('gives the operations settings their defaults and checks them', () => {
    expect(loadSettings({})).toMatchObject({ METRICS_PORT: 9464, SHUTDOWN_TIMEOUT_MS: 10000 });
    expect(loadSettings({ METRICS_PORT: '0' }).METRICS_PORT).toBe(0);
    expect(() => loadSettings({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
    expect(() => loadSettings({ SHUTDOWN_TIMEOUT_MS: 'soon' })).toThrow(/SHUTDOWN_TIMEOUT_MS: must be a number/);
  });

  it('refuses an embedded store in distributed mode', () => {
    expect(() => loadSettings({ NATS_URL: 'nats://127.0.0.1:4222' })).toThrow(InvalidSettingsError);
    expect(isEmbedded(loadSettings({ NATS_URL: 'nats://127.0.0.1:4222', EVENT_STORE: 'postgres', DATABASE_URL: 'postgres://x@h/db' }))).toBe(false);
  });
});
