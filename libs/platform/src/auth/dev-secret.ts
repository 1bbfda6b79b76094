import { loadOrCreateSecret, type PersistedSecret } from '../config/persisted-secret.js';

export const DEV_SECRET_FILE = 'jwt-dev-secret';

export type DevSecret = PersistedSecret;

/** The embedded server's HS256 secret when JWT_SECRET is not set; `npm run token` signs with it. */
export function loadOrCreateDevSecret(dataDir: string): DevSecret {
  return loadOrCreateSecret(dataDir, DEV_SECRET_FILE);
}
