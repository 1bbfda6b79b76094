import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEV_SECRET_FILE = 'jwt-dev-secret';

export interface DevSecret {
  readonly secret: string;
  readonly file: string;
  /** True when this call generated it; false when an earlier start had persisted it. */
  readonly created: boolean;
}

/**
 * The embedded server's HS256 secret when JWT_SECRET is not set: 32 random bytes, kept in
 * DATA_DIR (mode 0600) so tokens from `npm run token` survive restarts. The exclusive create
 * lets the server and the token script race without overwriting each other's secret.
 */
export function loadOrCreateDevSecret(dataDir: string): DevSecret {
  const file = join(dataDir, DEV_SECRET_FILE);
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return { secret, file, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const existing = readFileSync(file, 'utf8').trim();
  if (existing.length < 32) throw new Error(`${file} holds no usable secret; delete it to have a new one generated`);
  return { secret: existing, file, created: false };
}
