import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSections } from '../config/settings-sections.js';
import { AUDIT_KEY_FILE, resolveAuditKeyring } from './audit-keyring.source.js';

const dir = mkdtempSync(join(tmpdir(), 'audit-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the embedded audit key', () => {
  it('is generated once into DATA_DIR, readable by its owner only, and the same after a restart', () => {
    const first = resolveAuditKeyring(loadSections({ DATA_DIR: dir }));
    const file = join(dir, AUDIT_KEY_FILE);
    expect(first.source).toEqual({ kind: 'file', file, created: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = resolveAuditKeyring(loadSections({ DATA_DIR: dir }));
    expect(again.source).toEqual({ kind: 'file', file, created: false });
    expect(again.ring.current).toEqual(first.ring.current);
  });
});
