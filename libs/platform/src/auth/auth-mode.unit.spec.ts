import { describe, expect, it } from '@jest/globals';
import { InvalidSettingsError, loadSettings } from '../config/settings.js';
import { loadSections } from '../config/settings-sections.js';
import { resolveAuthMode } from './auth-mode.js';

const SECRET = 'x'.repeat(32);
const DISTRIBUTED = { NATS_URL: 'nats://127.0.0.1:4222', EVENT_STORE: 'postgres', DATABASE_URL: 'postgres://u@h/db' };

describe('authentication and limit settings', () => {
  it('has defaults for every limit', () => {
    expect(loadSettings({})).toMatchObject({
      RATE_LIMIT_PER_MINUTE: 300,
      RATE_LIMIT_PER_MINUTE_IP: 600,
      MAX_BODY_BYTES: 1048576,
      STREAM_IDLE_TIMEOUT: 300,
      STREAM_MAX_DURATION: 3600,
    });
    expect(loadSettings({}).AUTH_REQUIRED).toBeUndefined();
    expect(loadSettings({ AUTH_REQUIRED: 'no' }).AUTH_REQUIRED).toBe(false);
  });

  it('names the variable of a bad value', () => {
    expect(() => loadSettings({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET: must be at least 32 characters/);
    expect(() => loadSettings({ JWT_JWKS_URL: 'ftp://idp/keys' })).toThrow(
      /JWT_JWKS_URL: must start with https:\/\/ or http:\/\//,
    );
    expect(() => loadSettings({ AUTH_REQUIRED: 'sometimes' })).toThrow(/AUTH_REQUIRED: must be true or false/);
    expect(() => loadSettings({ RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/RATE_LIMIT_PER_MINUTE:/);
    expect(() => loadSettings({ MAX_BODY_BYTES: 'lots' })).toThrow(/MAX_BODY_BYTES: must be a number/);
    expect(() => loadSettings({ STREAM_IDLE_TIMEOUT: '1.5' })).toThrow(/STREAM_IDLE_TIMEOUT: must be a whole number/);
  });
});

describe('resolveAuthMode', () => {
  it('lets the embedded server without a key take anonymous requests, verifying with the dev secret', () => {
    expect(resolveAuthMode(loadSections({}))).toEqual({ required: false, secretSource: 'dev' });
  });

  it('requires tokens once a key is configured, unless AUTH_REQUIRED=false', () => {
    expect(resolveAuthMode(loadSections({ JWT_SECRET: SECRET }))).toEqual({ required: true, secretSource: 'setting' });
    expect(resolveAuthMode(loadSections({ JWT_JWKS_URL: 'https://idp.example/jwks' }))).toEqual({
      required: true,
      secretSource: 'none',
    });
    expect(resolveAuthMode(loadSections({ JWT_SECRET: SECRET, AUTH_REQUIRED: 'false' }))).toEqual({
      required: false,
      secretSource: 'setting',
    });
    expect(resolveAuthMode(loadSections({ AUTH_REQUIRED: 'true' }))).toEqual({ required: true, secretSource: 'dev' });
  });

  it('refuses a distributed API that requires tokens but has no key', () => {
    expect(() => resolveAuthMode(loadSections(DISTRIBUTED))).toThrow(InvalidSettingsError);
    expect(() => resolveAuthMode(loadSections(DISTRIBUTED))).toThrow(/JWT_SECRET: is required in distributed mode/);
    expect(resolveAuthMode(loadSections({ ...DISTRIBUTED, JWT_SECRET: SECRET }))).toEqual({
      required: true,
      secretSource: 'setting',
    });
    expect(resolveAuthMode(loadSections({ ...DISTRIBUTED, AUTH_REQUIRED: 'false' }))).toEqual({
      required: false,
      secretSource: 'none',
    });
  });
});
