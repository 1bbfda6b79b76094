import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidSettingsError, loadSettings } from '../config/settings.js';
import { loadSections } from '../config/settings-sections.js';
import { keyedUuid } from '../ids/ids.js';
import { ID_SECRET_FILE, resolveIdSecret } from './id-secret.js';

const SECRET = 'j'.repeat(32);
const DISTRIBUTED = { NATS_URL: 'nats://127.0.0.1:4222', EVENT_STORE: 'postgres', DATABASE_URL: 'postgres://u@h/db' };

describe('the key of derived ids', () => {
  it('is ID_SECRET when set, else derived from JWT_SECRET (never JWT_SECRET itself)', () => {
    expect(resolveIdSecret(loadSections({ ID_SECRET: 'i'.repeat(32), JWT_SECRET: SECRET }))).toEqual({
      secret: 'i'.repeat(32),
      source: 'setting',
    });
    const derived = resolveIdSecret(loadSections({ ...DISTRIBUTED, JWT_SECRET: SECRET }));
    expect(derived.source).toBe('jwt');
    expect(derived.secret).not.toContain(SECRET);
    expect(resolveIdSecret(loadSections({ JWT_SECRET: SECRET })).secret).toBe(derived.secret);
    expect(() => loadSettings({ ID_SECRET: 'short' })).toThrow(/ID_SECRET: must be at least 32 characters/);
  });

  it('is generated once into DATA_DIR in embedded mode, and kept across restarts', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'id-secret-'));
    try {
      const first = resolveIdSecret(loadSections({ DATA_DIR: dataDir }));
      expect(first.source).toBe('file');
      expect(readFileSync(join(dataDir, ID_SECRET_FILE), 'utf8').trim()).toBe(first.secret);
      expect(resolveIdSecret(loadSections({ DATA_DIR: dataDir }))).toEqual(first);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a distributed API without ID_SECRET or JWT_SECRET, naming ID_SECRET', () => {
    const settings = loadSections({ ...DISTRIBUTED, JWT_JWKS_URL: 'https://idp.example/jwks' });
    expect(() => resolveIdSecret(settings)).toThrow(InvalidSettingsError);
    expect(() => resolveIdSecret(settings)).toThrow(/ID_SECRET: is required in distributed mode/);
  });

  it('keys ids: the same parts give the same id under one secret, another id under another', () => {
    const id = keyedUuid('a'.repeat(32), 'investigation', 'ana', 'key-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(keyedUuid('a'.repeat(32), 'investigation', 'ana', 'key-1')).toBe(id);
    expect(keyedUuid('b'.repeat(32), 'investigation', 'ana', 'key-1')).not.toBe(id);
  });
});
