import { auditKeyring, type AuditKeyring } from '#audit';
import { loadOrCreateSecret } from '../config/persisted-secret.js';
import type { SettingsSections } from '../config/settings-sections.js';
import { InvalidSettingsError } from '../config/settings.js';

export const AUDIT_KEY_FILE = 'audit-hmac-key';

export interface ResolvedAuditKeyring {
  readonly ring: AuditKeyring;
  /** Where the current key came from: the setting, or a file in DATA_DIR (`created` on first start). */
  readonly source:
    { readonly kind: 'setting' } | { readonly kind: 'file'; readonly file: string; readonly created: boolean };
}

/**
 * AUDIT_HMAC_KEY, or in embedded mode a key generated once into DATA_DIR. Distributed
 * processes append to one chain and must all hold the same key; a key each process made up
 * for itself would make every other process's records unverifiable, so they refuse to start.
 */
export function resolveAuditKeyring({
  audit,
  process,
  storage,
}: Pick<SettingsSections, 'audit' | 'process' | 'storage'>): ResolvedAuditKeyring {
  if (audit.hmacKey !== undefined) {
    return {
      ring: auditKeyring(audit.hmacKey, audit.previousKeys),
      source: { kind: 'setting' },
    };
  }
  if (!process.embedded) {
    throw new InvalidSettingsError([
      'AUDIT_HMAC_KEY: is required in distributed mode (NATS_URL): every api and worker process keys the shared audit chain with it',
    ]);
  }
  const persisted = loadOrCreateSecret(storage.dataDir, AUDIT_KEY_FILE);
  return {
    ring: auditKeyring(persisted.secret, audit.previousKeys),
    source: { kind: 'file', file: persisted.file, created: persisted.created },
  };
}
