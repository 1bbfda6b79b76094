import { describe, expect, it } from '@jest/globals';
import { auditKey } from '#audit';
import { loadSections } from '../config/settings-sections.js';
import { InvalidSettingsError, loadSettings } from '../config/settings.js';
import { resolveAuditKeyring } from './audit-keyring.source.js';

const KEY = 'k'.repeat(32);
const OLD = 'o'.repeat(32);
const DISTRIBUTED = { NATS_URL: 'nats://127.0.0.1:4222', EVENT_STORE: 'postgres', DATABASE_URL: 'postgres://u@h/db' };

describe('audit key settings', () => {
  it('has checkpoint defaults and names a bad value', () => {
    expect(loadSettings({})).toMatchObject({
      AUDIT_CHECKPOINT_EVERY_RECORDS: 1000,
      AUDIT_CHECKPOINT_INTERVAL_SECONDS: 60,
      AUDIT_HMAC_PREVIOUS_KEYS: [],
    });
    expect(() => loadSettings({ AUDIT_HMAC_KEY: 'short' })).toThrow(/AUDIT_HMAC_KEY: must be at least 32 characters/);
    expect(() => loadSettings({ AUDIT_HMAC_PREVIOUS_KEYS: `${OLD},short` })).toThrow(
      /AUDIT_HMAC_PREVIOUS_KEYS: must be comma-separated keys/,
    );
    expect(() => loadSettings({ AUDIT_HMAC_KEY: KEY, AUDIT_HMAC_PREVIOUS_KEYS: KEY })).toThrow(
      /AUDIT_HMAC_PREVIOUS_KEYS: must not hold the current AUDIT_HMAC_KEY/,
    );
    expect(() => loadSettings({ AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0' })).toThrow(/AUDIT_CHECKPOINT_INTERVAL_SECONDS/);
  });

  it('takes the key and the retired keys, oldest first, from the settings', () => {
    const { ring, source } = resolveAuditKeyring(
      loadSections({ AUDIT_HMAC_KEY: KEY, AUDIT_HMAC_PREVIOUS_KEYS: ` ${OLD} , ${'p'.repeat(32)}` }),
    );
    expect(source).toEqual({ kind: 'setting' });
    expect(ring.current).toEqual(auditKey(KEY));
    expect(ring.previous.map((key) => key.secret)).toEqual([OLD, 'p'.repeat(32)]);
  });

  it('refuses a distributed process without AUDIT_HMAC_KEY, naming it', () => {
    const settings = loadSections({ ...DISTRIBUTED, DATA_DIR: '/nonexistent' });
    expect(() => resolveAuditKeyring(settings)).toThrow(InvalidSettingsError);
    expect(() => resolveAuditKeyring(settings)).toThrow(/AUDIT_HMAC_KEY: is required in distributed mode/);
    expect(resolveAuditKeyring(loadSections({ ...DISTRIBUTED, AUDIT_HMAC_KEY: KEY })).ring.current.id).toBe(
      auditKey(KEY).id,
    );
  });
});
