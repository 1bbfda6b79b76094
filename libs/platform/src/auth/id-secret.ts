import { createHmac } from 'node:crypto';
import type { SettingsSections } from '../config/settings-sections.js';
import { InvalidSettingsError } from '../config/settings.js';
import { loadOrCreateSecret } from '../config/persisted-secret.js';

export const ID_SECRET_FILE = 'id-secret';

export interface IdSecret {
  readonly secret: string;
  /** ID_SECRET itself, derived from JWT_SECRET, or generated once into DATA_DIR. */
  readonly source: 'setting' | 'jwt' | 'file';
}

/**
 * The key of ids derived from client input (Idempotency-Key). Every API process of a
 * deployment must hold the same one, or a retry reaching another process would start a
 * second investigation: so a distributed API with neither ID_SECRET nor JWT_SECRET refuses
 * to start. JWT_SECRET is not used as is: the key is derived from it, so an id never
 * reveals anything about the token secret.
 */
export function resolveIdSecret({
  auth,
  process,
  storage,
}: Pick<SettingsSections, 'auth' | 'process' | 'storage'>): IdSecret {
  if (auth.idSecret !== undefined) return { secret: auth.idSecret, source: 'setting' };
  if (auth.jwtSecret !== undefined) {
    return {
      secret: createHmac('sha256', auth.jwtSecret).update('cidadao-ai/id-secret').digest('base64url'),
      source: 'jwt',
    };
  }
  if (!process.embedded) {
    throw new InvalidSettingsError([
      'ID_SECRET: is required in distributed mode when JWT_SECRET is not set (every API process must derive the same ids)',
    ]);
  }
  return { secret: loadOrCreateSecret(storage.dataDir, ID_SECRET_FILE).secret, source: 'file' };
}
