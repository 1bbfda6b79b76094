import { auditKeyring, type AuditKeyring } from '#audit';
import { loadOrCreateSecret } from '../config/persisted-secret.js';
import { InvalidSettingsError, isEmbedded, type Settings } from '../config/settings.js';

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
export function resolveAuditKeyring(settings: Settings): ResolvedAuditKeyring {
  if (settings.AUDIT_HMAC_KEY !== undefined) {
    return {
      ring: auditKeyring(settings.AUDIT_HMAC_KEY, settings.AUDIT_HMAC_PREVIOUS_KEYS),
      source: { kind: 'setting' },
    };
  }
  if (!isEmbedded(settings)) {
    throw new InvalidSettingsError([
      'AUDIT_HMAC_KEY: is required in distributed mode (NATS_URL): every api and worker process keys the shared audit chain with it',
    ]);
  }
  const persisted = loadOrCreateSecret(settings.DATA_DIR, AUDIT_KEY_FILE);
  return {
    ring: auditKeyring(persisted.secret, settings.AUDIT_HMAC_PREVIOUS_KEYS),
    source: { kind: 'file', file: persisted.file, created: persisted.created },
  };
}
